/*
 * glyph_table - the glyph-similarity table of configs/normalize/glyphs.tsv:
 * for each character names use, its K most similar characters by the look of
 * their glyphs, as OCR confuses them (郝/部, 己/已).  Run offline; dangan only
 * reads the table it writes (normalize/glyph.c).  Provenance and the exact
 * command: configs/normalize/README.md.
 *
 * Characters: GB2312 levels 1-2 (via iconv), their traditional forms (ICU
 * Hans-Hant), and every Han character of the --extra files (the normalizer's
 * variants.tsv and confusables.tsv).  Each is rendered with FreeType in every
 * --font at SIZE pixels on the em box (so a character's place in the box
 * counts: 己 and 已 differ by a stroke's reach), the ink area-averaged to a
 * GRID x GRID map and blurred a little (a stroke a pixel off still overlaps),
 * scaled to unit length.  The similarity of two characters is the mean over
 * the fonts of the cosine of their maps (0 where a font lacks either).
 *
 *   glyph_table --font FILE[:FAMILY] ... [--extra FILE ...] [--k 8]
 *               [--size 64] [--grid 20] [--min 0.5] --out FILE
 */
#define _GNU_SOURCE /* M_PI */
#include <ft2build.h>
#include FT_FREETYPE_H

#include <iconv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/utrans.h>
#include <unicode/ustring.h>

enum { MAX_FONTS = 8, MAX_EXTRA = 8, MAX_K = 32, MAX_CHARS = 20000 };

typedef struct nb {
    int idx;
    float sim;
} nb;

typedef struct opts {
    const char *font[MAX_FONTS];
    int nfont;
    const char *extra[MAX_EXTRA];
    int nextra;
    int k, size, grid;
    int grad; /* also stroke-direction maps (4 orientations) */
    double min;
    const char *out;
} opts;

static int is_han(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2FA1F) || (c >= 0xF900 && c <= 0xFAFF);
}

static int utf8_dec(const unsigned char *s, uint32_t *c)
{
    *c = 0;
    if (s[0] < 0x80) {
        *c = s[0];
        return 1;
    }
    int n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
    uint32_t v = s[0] & (0xFF >> (n + 1));
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *c = v;
    return n;
}

static int utf8_enc(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

typedef struct charset {
    uint32_t *c;
    size_t n;
    unsigned char *seen; /* by code point, up to 0x30000 */
} charset;

static void cs_add(charset *cs, uint32_t c)
{
    if (!is_han(c) || c >= 0x30000 || cs->seen[c] || cs->n >= MAX_CHARS)
        return;
    cs->seen[c] = 1;
    cs->c[cs->n++] = c;
}

/* GB2312 level 1 (rows 16-55) and level 2 (rows 56-87). */
static int add_gb2312(charset *cs)
{
    iconv_t cd = iconv_open("UTF-8", "GB2312");
    if (cd == (iconv_t)-1)
        return -1;
    for (int hi = 0xB0; hi <= 0xF7; hi++)
        for (int lo = 0xA1; lo <= 0xFE; lo++) {
            char in[2] = {(char)hi, (char)lo}, out[8] = {0};
            char *ip = in, *op = out;
            size_t il = 2, ol = sizeof out - 1;
            if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
                continue;
            uint32_t c;
            utf8_dec((const unsigned char *)out, &c);
            cs_add(cs, c);
        }
    iconv_close(cd);
    return 0;
}

/* The traditional form of each character so far (ICU Hans-Hant). */
static int add_traditional(charset *cs)
{
    UErrorCode ec = U_ZERO_ERROR;
    UChar id[] = u"Hans-Hant";
    UTransliterator *t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &ec);
    if (U_FAILURE(ec))
        return -1;
    size_t n0 = cs->n;
    for (size_t i = 0; i < n0; i++) {
        UChar buf[8];
        int32_t len = 0, cap = 8, lim;
        U16_APPEND_UNSAFE(buf, len, cs->c[i]);
        lim = len;
        ec = U_ZERO_ERROR;
        utrans_transUChars(t, buf, &len, cap, 0, &lim, &ec);
        if (U_FAILURE(ec))
            continue;
        for (int32_t j = 0; j < len;) {
            UChar32 c;
            U16_NEXT(buf, j, len, c);
            cs_add(cs, (uint32_t)c);
        }
    }
    utrans_close(t);
    return 0;
}

static int add_file(charset *cs, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        for (const unsigned char *p = (const unsigned char *)line; *p;) {
            uint32_t c;
            p += utf8_dec(p, &c);
            cs_add(cs, c);
        }
    }
    fclose(f);
    return 0;
}

/* FILE or FILE:FAMILY (the face of a collection whose family name starts
 * with FAMILY, e.g. NotoSansCJK-Regular.ttc:Noto Sans CJK SC). */
static int open_face(FT_Library lib, const char *spec, FT_Face *out)
{
    char path[1024];
    const char *colon = strchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    if (n >= sizeof path)
        return -1;
    memcpy(path, spec, n);
    path[n] = '\0';
    FT_Face f;
    if (FT_New_Face(lib, path, 0, &f))
        return -1;
    long faces = f->num_faces;
    for (long i = 0; colon && i < faces; i++) {
        if (i && FT_New_Face(lib, path, i, &f))
            return -1;
        if (f->family_name && strncmp(f->family_name, colon + 1, strlen(colon + 1)) == 0 &&
            strlen(f->family_name) == strlen(colon + 1))
            break;
        FT_Done_Face(f);
        f = NULL;
    }
    if (!f)
        return -1;
    *out = f;
    return 0;
}

/* Area-average a SIZE x SIZE plane to GRID x GRID, blur 1-2-1, add to out
 * (unnormalized); returns the sum of squares. */
static double pool(const float *src, int size, int grid, float *out)
{
    float small[64 * 64] = {0};
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
            small[(y * grid / size) * grid + x * grid / size] += src[y * size + x];
    double ss = 0;
    static const float w[3] = {0.25f, 0.5f, 0.25f};
    for (int y = 0; y < grid; y++)
        for (int x = 0; x < grid; x++) {
            float v = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy >= 0 && xx >= 0 && yy < grid && xx < grid)
                        v += w[dy + 1] * w[dx + 1] * small[yy * grid + xx];
                }
            out[y * grid + x] = v;
            ss += (double)v * v;
        }
    return ss;
}

static void scale(float *v, size_t n, double ss, double to)
{
    if (ss > 0)
        for (size_t i = 0; i < n; i++)
            v[i] = (float)(v[i] / sqrt(ss) * to);
}

/* The character's maps in one face: the ink, and with `strokes` the ink's
 * edges split by direction (horizontal, vertical, two diagonals: what tells
 * 土 from 士 when the ink alone barely differs), each GRID x GRID, blurred;
 * unit length in all; all zero when the face lacks the character. */
static void render(FT_Face f, uint32_t c, const opts *o, float *canvas, float *outv)
{
    int size = o->size, grid = o->grid;
    size_t dim = (size_t)grid * (size_t)grid, nch = o->grad ? 5 : 1;
    memset(outv, 0, sizeof(float) * dim * nch);
    FT_UInt gi = FT_Get_Char_Index(f, c);
    if (!gi || FT_Load_Glyph(f, gi, FT_LOAD_RENDER | FT_LOAD_NO_BITMAP))
        return;
    FT_Bitmap *b = &f->glyph->bitmap;
    size_t area = (size_t)size * (size_t)size;
    memset(canvas, 0, sizeof(float) * area * 5);
    /* ideographic em box: baseline 0.12 em above the bottom */
    int base = size - (int)(0.12 * size + 0.5);
    int x0 = f->glyph->bitmap_left, y0 = base - f->glyph->bitmap_top;
    for (unsigned y = 0; y < b->rows; y++)
        for (unsigned x = 0; x < b->width; x++) {
            int cx = x0 + (int)x, cy = y0 + (int)y;
            if (cx < 0 || cy < 0 || cx >= size || cy >= size)
                continue;
            canvas[cy * size + cx] = b->buffer[y * (unsigned)b->pitch + x] / 255.0f;
        }
    double ss = pool(canvas, size, grid, outv);
    scale(outv, dim, ss, o->grad ? sqrt(0.5) : 1.0);
    if (!o->grad)
        return;
    for (int y = 1; y < size - 1; y++)
        for (int x = 1; x < size - 1; x++) {
            const float *p = canvas + y * size + x;
            float gx = p[1] - p[-1], gy = p[size] - p[-size];
            float m = sqrtf(gx * gx + gy * gy);
            if (m < 1e-3f)
                continue;
            /* edge direction binned softly over 0, 45, 90, 135 degrees */
            float th = atan2f(gy, gx);
            if (th < 0)
                th += (float)M_PI;
            float bin = th / (float)(M_PI / 4);
            int b0 = (int)bin % 4, b1 = (b0 + 1) % 4;
            float fr = bin - floorf(bin);
            canvas[area * (size_t)(1 + b0) + (size_t)(y * size + x)] += m * (1 - fr);
            canvas[area * (size_t)(1 + b1) + (size_t)(y * size + x)] += m * fr;
        }
    double gss = 0;
    for (int ch = 0; ch < 4; ch++)
        gss += pool(canvas + area * (size_t)(1 + ch), size, grid, outv + dim * (size_t)(1 + ch));
    scale(outv + dim, dim * 4, gss, sqrt(0.5));
}

static void keep(nb *top, int k, int idx, float sim)
{
    if (sim <= top[k - 1].sim)
        return;
    int i = k - 1;
    while (i > 0 && top[i - 1].sim < sim) {
        top[i] = top[i - 1];
        i--;
    }
    top[i].idx = idx;
    top[i].sim = sim;
}

static int usage(void)
{
    fprintf(stderr, "usage: glyph_table --font FILE[:FAMILY] ... [--extra FILE ...] [--k 8] "
                    "[--size 64] [--grid 20] [--min 0.5] --out FILE\n");
    return 2;
}

int main(int argc, char **argv)
{
    opts o = {.k = 8, .size = 64, .grid = 20, .min = 0.5};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--font") && i + 1 < argc && o.nfont < MAX_FONTS)
            o.font[o.nfont++] = argv[++i];
        else if (!strcmp(argv[i], "--extra") && i + 1 < argc && o.nextra < MAX_EXTRA)
            o.extra[o.nextra++] = argv[++i];
        else if (!strcmp(argv[i], "--k") && i + 1 < argc)
            o.k = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--size") && i + 1 < argc)
            o.size = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--grid") && i + 1 < argc)
            o.grid = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--strokes"))
            o.grad = 1;
        else if (!strcmp(argv[i], "--min") && i + 1 < argc)
            o.min = atof(argv[++i]);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            o.out = argv[++i];
        else
            return usage();
    }
    if (!o.nfont || !o.out || o.k < 1 || o.k > MAX_K || o.grid < 4 || o.grid > 64 ||
        o.size < o.grid || o.size > 512)
        return usage();

    charset cs = {calloc(MAX_CHARS, sizeof(uint32_t)), 0, calloc(0x30000, 1)};
    if (add_gb2312(&cs) || add_traditional(&cs)) {
        fprintf(stderr, "glyph_table: iconv GB2312 or ICU Hans-Hant unavailable\n");
        return 1;
    }
    for (int i = 0; i < o.nextra; i++)
        if (add_file(&cs, o.extra[i])) {
            fprintf(stderr, "glyph_table: cannot read %s\n", o.extra[i]);
            return 1;
        }

    FT_Library lib;
    if (FT_Init_FreeType(&lib))
        return 1;
    size_t dim = (size_t)o.grid * (size_t)o.grid * (o.grad ? 5 : 1), row = dim * (size_t)o.nfont;
    float *feat = calloc(cs.n * row, sizeof(float));
    float *canvas = malloc(sizeof(float) * (size_t)o.size * (size_t)o.size * 5);
    unsigned char *have = calloc(cs.n, 1); /* in how many fonts */
    for (int fi = 0; fi < o.nfont; fi++) {
        FT_Face f;
        if (open_face(lib, o.font[fi], &f) || FT_Set_Pixel_Sizes(f, 0, (FT_UInt)o.size)) {
            fprintf(stderr, "glyph_table: cannot open font %s\n", o.font[fi]);
            return 1;
        }
        fprintf(stderr, "font %d: %s (%s %s)\n", fi, o.font[fi], f->family_name, f->style_name);
        for (size_t i = 0; i < cs.n; i++) {
            float *v = feat + i * row + (size_t)fi * dim;
            render(f, cs.c[i], &o, canvas, v);
            float any = 0;
            for (size_t t = 0; t < dim; t++)
                any += v[t];
            have[i] += any > 0;
        }
        FT_Done_Face(f);
    }
    FT_Done_FreeType(lib);

    nb *top = malloc(sizeof(nb) * cs.n * (size_t)o.k);
    for (size_t i = 0; i < cs.n * (size_t)o.k; i++)
        top[i] = (nb){-1, -1.0f};
    for (size_t i = 0; i < cs.n; i++) {
        const float *a = feat + i * row;
        for (size_t j = i + 1; j < cs.n; j++) {
            const float *b = feat + j * row;
            float d = 0;
            for (size_t t = 0; t < row; t++)
                d += a[t] * b[t];
            d /= (float)o.nfont;
            keep(top + i * (size_t)o.k, o.k, (int)j, d);
            keep(top + j * (size_t)o.k, o.k, (int)i, d);
        }
    }

    FILE *out = fopen(o.out, "w");
    if (!out)
        return 1;
    fprintf(out, "# Glyph similarity: for each character its %d most similar by rendered shape\n"
                 "# (mean cosine of blurred %dx%d ink maps over the fonts; >= %.2f kept).\n"
                 "# Made by bench/glyph_table; provenance and command: README.md here.\n",
            o.k, o.grid, o.grid, o.min);
    for (int fi = 0; fi < o.nfont; fi++)
        fprintf(out, "# font: %s\n", o.font[fi]);
    size_t lines = 0;
    for (size_t i = 0; i < cs.n; i++) {
        char u[8];
        int n = 0;
        for (int t = 0; t < o.k; t++)
            n += top[i * (size_t)o.k + (size_t)t].idx >= 0 &&
                 top[i * (size_t)o.k + (size_t)t].sim >= o.min;
        if (!n || !have[i])
            continue;
        u[utf8_enc(cs.c[i], u)] = '\0';
        fputs(u, out);
        for (int t = 0; t < o.k; t++) {
            nb e = top[i * (size_t)o.k + (size_t)t];
            if (e.idx < 0 || e.sim < o.min)
                break;
            u[utf8_enc(cs.c[e.idx], u)] = '\0';
            fprintf(out, "\t%s:%.3f", u, e.sim);
        }
        fputc('\n', out);
        lines++;
    }
    fclose(out);
    fprintf(stderr, "%zu characters, %zu with neighbours, %d fonts\n", cs.n, lines, o.nfont);
    free(top);
    free(feat);
    free(canvas);
    free(have);
    free(cs.c);
    free(cs.seen);
    return 0;
}
