/*
 * floor.c - the floor under the structured reading: what a plain reading
 * of the whole page (Tesseract's own layout, PSM 3) finds is not lost.
 * The cells and phrases read forms better than Tesseract's layout, which
 * drops label columns; but on a page that is no form (a book page, a
 * report, a photographed slide) a bogus grid out of text strokes, or
 * phrases cut across columns, lost whole paragraphs.  Region by region (a
 * block of the plain reading), where the structured lines hold too few of
 * the characters the plain reading finds there, or weigh clearly less,
 * the plain lines replace them.  When most of the page is so taken, it is
 * no form: it is read in the plain reading's block order (columns one
 * after the other) and what the structured reading found outside every
 * block (textures, photographs read as characters) goes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reading.h"

/* A block whose plain characters the structured reading holds under this
 * share of is thin and read plainly (when the plain lines weigh more, see
 * block_thin).  Well read regions share most of their characters; a region
 * read as fragments or not at all shares few. */
#define THIN_SHARE 0.6

/* A page with a table grid is a form whose cells were read one by one:
 * when the ink left outside every line's box is under this share, the
 * structured reading covers the page and the plain reading is not made
 * (what the cells leave is stain, seal and rule residue, up to a third of
 * the ink on hard scans).  A page with no grid was read phrase by phrase
 * only, and running text read so, its ink covered or not, reads worse than
 * Tesseract's own layout reads it: it is always read plainly too. */
#define COVERED_INK_GRID 0.35

/* Blocks with fewer plain characters than this are left as they are. */
#define MIN_BLOCK_CHARS 4

/* ... and a block is read thin too where its plain lines weigh this many
 * times the structured lines there (characters times confidence): the
 * structured reading found the text but read it worse. */
#define PLAIN_BETTER 1.2

/* When the blocks read thin hold this share of the plain reading's
 * characters, the page is no form: structured lines outside every block
 * (photographs, textures read as characters) are dropped. */
#define PLAIN_PAGE 0.5

/* A phrase's first reading is confirmed, and its variants spared, when
 * the plain lines over it (read first on a page with no grid) average this
 * confidence, weighed by characters, and hold this share of the
 * characters it read: two readings made apart agree.  Skipping variants on
 * the plain reading's confidence alone lost lines read under the keep
 * floor that a variant lifted over it (bag-F1 0.931 -> 0.916 on a drawn
 * plain card). */
#define PLAIN_SURE_CONF 80.0
#define PLAIN_AGREE 0.8

/* Phrases of at most this many characters outside every block are dropped
 * (stray). */
#define STRAY_CHARS 2

/* A structured line the page keeps (its confidence floor, filter.c). */
static int kept(const ocr_line *l)
{
    return l->text && !ocr_empty_text(l->text) && l->conf >= ocr_line_floor(l);
}

/* A plain line with text: kept whatever its confidence, as Tesseract gives it. */
static int kept_plain(const ocr_line *l)
{
    return l->text && !ocr_empty_text(l->text);
}

/* 1 when line box l lies in block box b: they share at least half of the
 * smaller of the two (a phrase read as one line may hold a short block of
 * the plain reading, or a block several lines). */
static int belongs(ocr_box l, ocr_box b)
{
    long w = (l.x + l.w < b.x + b.w ? l.x + l.w : b.x + b.w) - (l.x > b.x ? l.x : b.x);
    long h = (l.y + l.h < b.y + b.h ? l.y + l.h : b.y + b.h) - (l.y > b.y ? l.y : b.y);
    long a = (long)l.w * l.h, c = (long)b.w * b.h;
    return w > 0 && h > 0 && 2 * w * h >= (a < c ? a : c);
}

static ocr_box unite(ocr_box a, ocr_box b)
{
    if (a.w <= 0 || a.h <= 0)
        return b;
    int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
    int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    return (ocr_box){x0, y0, x1 - x0, y1 - y0};
}

/* Share of the page's ink outside every kept line's box grown by m: what
 * the structured reading has not looked at or read. */
static double floor_uncovered(PIX *loc, const line_vec *lv, int m)
{
    l_int32 all = 0, left = 0;
    pixCountPixels(loc, &all, NULL);
    PIX *rest = all ? pixCopy(NULL, loc) : NULL;
    if (!rest)
        return all ? 1.0 : 0.0;
    for (size_t i = 0; i < lv->n; i++) {
        ocr_box b = lv->v[i].box;
        if (kept(&lv->v[i]))
            pixRasterop(rest, b.x - m, b.y - m, b.w + 2 * m, b.h + 2 * m, PIX_CLR, NULL, 0, 0);
    }
    pixCountPixels(rest, &left, NULL);
    pixDestroy(&rest);
    return (double)left / (double)all;
}

/* Code points of s without whitespace appended to *v (grown as needed). */
static int add_cps(const char *s, unsigned **v, size_t *n, size_t *cap)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned cp = dg_utf8_next(s, len, &i);
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000)
            continue;
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            unsigned *p = realloc(*v, nc * sizeof *p);
            if (!p)
                return DG_ENOMEM;
            *v = p;
            *cap = nc;
        }
        (*v)[(*n)++] = cp;
    }
    return DG_OK;
}

static int cmp_u(const void *x, const void *y)
{
    unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;
    return (a > b) - (a < b);
}

/* Size of the multiset intersection of a and b (both sorted here). */
static size_t common(unsigned *a, size_t na, unsigned *b, size_t nb)
{
    if (!na || !nb)
        return 0; /* an empty side may be a NULL array, which qsort must not get */
    qsort(a, na, sizeof *a, cmp_u);
    qsort(b, nb, sizeof *b, cmp_u);
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j])
            c++, i++, j++;
        else if (a[i] < b[j])
            i++;
        else
            j++;
    }
    return c;
}

/* One block of the plain reading: its box and whether it is read thin. */
typedef struct pblock {
    ocr_box box;
    int thin;
} pblock;

/* Characters of l (whitespace aside) weighed by its confidence. */
static double weight(const ocr_line *l)
{
    size_t n = 0, len = strlen(l->text);
    for (size_t i = 0; i < len;) {
        unsigned cp = dg_utf8_next(l->text, len, &i);
        n += !(cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000);
    }
    return (double)n * (l->conf > 0 ? l->conf : 0) / 100.0;
}

/* Whether block b (box) is read thin by the structured lines: they hold
 * under THIN_SHARE of its plain characters, or the plain lines there weigh
 * (characters times confidence) PLAIN_BETTER times theirs.  *chars receives
 * the block's plain characters.  -1 when out of memory. */
static int block_thin(const line_vec *lv, const line_vec *pv, int b, ocr_box box, size_t *chars)
{
    unsigned *p = NULL, *s = NULL;
    size_t np = 0, cp = 0, ns = 0, cs = 0;
    double pw = 0, sw = 0;
    int rc = DG_OK;
    for (size_t i = 0; i < pv->n && rc == DG_OK; i++)
        if (pv->v[i].block_no == b && kept_plain(&pv->v[i])) {
            rc = add_cps(pv->v[i].text, &p, &np, &cp);
            pw += weight(&pv->v[i]);
        }
    for (size_t i = 0; i < lv->n && rc == DG_OK && np >= MIN_BLOCK_CHARS; i++)
        if (kept(&lv->v[i]) && belongs(lv->v[i].box, box)) {
            rc = add_cps(lv->v[i].text, &s, &ns, &cs);
            sw += weight(&lv->v[i]);
        }
    int thin = rc                     ? -1
               : np < MIN_BLOCK_CHARS ? 0
                                      : pw > sw && ((double)common(p, np, s, ns) < THIN_SHARE * np ||
                                                    pw > PLAIN_BETTER * sw);
    *chars = np;
    free(p);
    free(s);
    return thin;
}

/* The block a box belongs to: the first it lies in, else the nearest. */
static int block_of(ocr_box l, const pblock *bl, int nb)
{
    int best = 0;
    long bestd = -1;
    int cx = l.x + l.w / 2, cy = l.y + l.h / 2;
    for (int b = 0; b < nb; b++) {
        ocr_box o = bl[b].box;
        if (o.w <= 0)
            continue;
        if (belongs(l, o))
            return b;
        long dx = cx < o.x ? o.x - cx : cx > o.x + o.w ? cx - o.x - o.w : 0;
        long dy = cy < o.y ? o.y - cy : cy > o.y + o.h ? cy - o.y - o.h : 0;
        if (bestd < 0 || dx + dy < bestd)
            bestd = dx + dy, best = b;
    }
    return best;
}

static size_t visible_chars(const ocr_line *l)
{
    size_t n = 0, len = l->text ? strlen(l->text) : 0;
    for (size_t i = 0; i < len;) {
        unsigned cp = dg_utf8_next(l->text, len, &i);
        n += !(cp == ' ' || cp == 0x3000);
    }
    return n;
}

/* 1 when line i shares its text row with a longer line of print like it
 * (half its height in common, heights within 1.6 times): a short value
 * at a tab stop beside its label (性别： ... 男), which Tesseract's layout
 * leaves out as it does lone specks. */
static int on_text_row(const line_vec *lv, size_t i)
{
    ocr_box a = lv->v[i].box;
    for (size_t j = 0; j < lv->n; j++) {
        ocr_box b = lv->v[j].box;
        int common = (a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h) - (a.y > b.y ? a.y : b.y);
        int lo = a.h < b.h ? a.h : b.h, hi = a.h < b.h ? b.h : a.h;
        if (j != i && lv->v[j].cell < 0 && visible_chars(&lv->v[j]) > STRAY_CHARS &&
            kept(&lv->v[j]) && 2 * common >= lo && 5 * hi <= 8 * lo)
            return 1;
    }
    return 0;
}

/* A phrase of a character or two outside every block of the plain
 * reading, alone on its row: texture (leaves, a chair's weave, a
 * photograph) read as characters where Tesseract's layout saw no text. */
static int stray(const line_vec *lv, size_t i)
{
    const ocr_line *l = &lv->v[i];
    return l->cell < 0 && visible_chars(l) <= STRAY_CHARS && !on_text_row(lv, i);
}

/* Structured lines in thin blocks replaced by the plain lines there, and
 * every line given its block's place in the plain reading's order. */
static int take_plain(line_vec *lv, line_vec *pv, const pblock *bl, int nb, int plain_page)
{
    size_t k = 0;
    int flow = plain_page;
    /* which lines go is decided before any leaves: a stray's row mates */
    char *gone = lv->n ? calloc(lv->n, 1) : NULL;
    if (lv->n && !gone)
        return DG_ENOMEM;
    for (size_t i = 0; i < lv->n; i++) {
        int b = block_of(lv->v[i].box, bl, nb);
        int in = belongs(lv->v[i].box, bl[b].box);
        gone[i] = in ? bl[b].thin : plain_page || stray(lv, i);
    }
    for (size_t i = 0; i < lv->n; i++) {
        int b = block_of(lv->v[i].box, bl, nb);
        if (gone[i]) {
            ocr_line_release(&lv->v[i]);
            continue;
        }
        lv->k[i].flow = flow ? b + 1 : 0;
        lv->v[k] = lv->v[i];
        lv->k[k++] = lv->k[i];
    }
    free(gone);
    lv->n = k;
    line_vec thin = {0};
    int rc = DG_OK;
    for (size_t i = 0; i < pv->n && rc == DG_OK; i++) {
        ocr_line *l = &pv->v[i];
        if (!bl[l->block_no].thin)
            continue;
        line_key key = {
            .flow = flow ? l->block_no + 1 : 0, .top = l->box.y, .x = l->box.x, .sub = l->box.y, .plain = 1};
        rc = ocr_vec_append(&thin, l, &key);
        if (rc == DG_OK)
            memset(l, 0, sizeof *l);
    }
    if (rc == DG_OK)
        rc = ocr_vec_move(lv, &thin);
    ocr_vec_free(&thin);
    return rc;
}

/* The page as the plain reading sees it (reading.h): the scan's grey
 * (seal-free, scaled and turned as the page is) deskewed like the page, so
 * its lines land on the structured lines' pixels.  Not the cleaned grey: the clean-up paints
 * white what it takes for specks and rules, and small print loses dots and
 * strokes the structured reading does not need but a plain reading of
 * running text does.  1-bit scans have no such grey and give the cleaned
 * page.  NULL when out of memory. */
PIX *ocr_plain_image(const ocr_page *pg)
{
    if (!pg->scan_grey || pixGetWidth(pg->scan_grey) != pixGetWidth(pg->grey) ||
        pixGetHeight(pg->scan_grey) != pixGetHeight(pg->grey))
        return pixClone(pg->grey);
    if (pg->geom.angle_deg == 0)
        return pixClone(pg->scan_grey);
    return pixRotate(pg->scan_grey, (l_float32)(pg->geom.angle_deg * M_PI / 180.0),
                     L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
}

int ocr_floor_plain(ocr_engine *e, const ocr_page *pg, line_vec *pv, dg_err *err)
{
    PIX *img = ocr_plain_image(pg);
    int rc = img ? ocr_read_layout(e, img, pg->dpi, 0, pv, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
    pixDestroy(&img);
    return rc;
}

int ocr_plain_agrees(const line_vec *pv, ocr_box b, const line_vec *got)
{
    unsigned *p = NULL, *r = NULL;
    size_t np = 0, cp = 0, nr = 0, cr = 0;
    double w = 0;
    int rc = DG_OK;
    for (size_t i = 0; i < pv->n && rc == DG_OK; i++)
        if (kept_plain(&pv->v[i]) && belongs(pv->v[i].box, b)) {
            rc = add_cps(pv->v[i].text, &p, &np, &cp);
            w += weight(&pv->v[i]);
        }
    for (size_t i = 0; i < got->n && rc == DG_OK; i++)
        if (got->v[i].text)
            rc = add_cps(got->v[i].text, &r, &nr, &cr);
    int ok = rc == DG_OK && nr > 0 && np >= nr && w * 100.0 >= PLAIN_SURE_CONF * (double)np &&
             (double)common(p, np, r, nr) >= PLAIN_AGREE * (double)nr;
    free(p);
    free(r);
    return ok;
}

int ocr_floor_merge(line_vec *lv, line_vec *pv, int *nthin, int *nblocks, dg_err *err)
{
    *nthin = *nblocks = 0;
    int rc = DG_OK, nb = 0;
    for (size_t i = 0; i < pv->n; i++)
        nb = pv->v[i].block_no + 1 > nb ? pv->v[i].block_no + 1 : nb;
    pblock *bl = nb ? calloc((size_t)nb, sizeof *bl) : NULL;
    if (nb && !bl)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    for (size_t i = 0; bl && i < pv->n; i++)
        if (kept_plain(&pv->v[i]))
            bl[pv->v[i].block_no].box = unite(bl[pv->v[i].block_no].box, pv->v[i].box);
    size_t all = 0, thin = 0;
    for (int b = 0; bl && b < nb && rc == DG_OK; b++) {
        if (bl[b].box.w <= 0)
            continue;
        size_t chars = 0;
        int t = block_thin(lv, pv, b, bl[b].box, &chars);
        if (t < 0)
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
        bl[b].thin = t > 0;
        all += chars;
        thin += t > 0 ? chars : 0;
        *nthin += t > 0;
        ++*nblocks;
    }
    if (rc == DG_OK && *nblocks)
        rc = take_plain(lv, pv, bl, nb, thin >= PLAIN_PAGE * all);
    if (rc == DG_ENOMEM)
        dg_err_set(err, DG_ENOMEM, "out of memory");
    free(bl);
    return rc;
}

int ocr_read_floor(ocr_engine *e, const ocr_page *pg, line_vec *lv, int *nthin, int *nblocks,
                   dg_err *err)
{
    *nthin = *nblocks = 0;
    line_vec pv = {0};
    int rc = ocr_floor_plain(e, pg, &pv, err);
    if (rc == DG_OK)
        rc = ocr_floor_merge(lv, &pv, nthin, nblocks, err);
    ocr_vec_free(&pv);
    return rc;
}

int ocr_floor_needed(const ocr_page *pg, const line_vec *lv, int grid, double *uncovered)
{
    /* The binary page's ink: the faint-grey ink that places crops holds
     * whole photographs and tints, which outweighed the print. */
    PIX *ink = pg->bilevel ? pixClone(pg->bin) : ocr_without_specks(pg->bin, pg->dpi);
    *uncovered = ink ? floor_uncovered(ink, lv, pg->dpi / 30) : 1.0;
    pixDestroy(&ink);
    return !grid || *uncovered >= COVERED_INK_GRID;
}
