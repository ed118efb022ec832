/*
 * pdf.c - the access copy archives hand out: a searchable PDF of a scan
 * file.  Each page is the scan image at its recorded size; the page's OCR
 * words as stored (ocr_word: text and box in the scan's own pixels) are
 * drawn at their boxes first and the opaque image over them, so viewers
 * show the scan while search, selection and pdftotext find the archive's
 * own words.  Why not Tesseract's PDF renderer (text render mode 3): it
 * writes what Tesseract reads when it re-reads the page, which is not the
 * text dangan's cell-by-cell reading stored; the PDF must say what the
 * archive says.  cairo has no invisible text mode, hence text under image
 * (docs/exchange.md).  Text is set with pango in Noto Sans CJK, embedded as
 * a subset; pdfa.c then adds what PDF/A-2b needs beyond cairo.
 */
#include "exchange_internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <unistd.h>

#include "ocr.h"

#define PDF_FONT "Noto Sans CJK SC"

typedef struct pdf_page {
    int64_t id;
    int index, width, height, dpi; /* dpi as used: recorded, by size, or 300 */
} pdf_page;

static int read_pages(sqlite3 *db, int64_t file, pdf_page **out, size_t *n, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT id, page_index, width, height, dpi, dpi_by_size FROM page "
                       "WHERE file_id = ?1 ORDER BY page_index",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, file);
    pdf_page *v = NULL;
    size_t k = 0;
    int rc, status = DG_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pdf_page *g = ex_grow(v, k, sizeof *v);
        if (!g) {
            status = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        v = g;
        pdf_page *p = &v[k++];
        p->id = sqlite3_column_int64(st, 0);
        p->index = sqlite3_column_int(st, 1);
        p->width = sqlite3_column_int(st, 2);
        p->height = sqlite3_column_int(st, 3);
        /* The size the file states; a dpi that makes no standard sheet
         * yields to the one the sheet implies (ingest decided which). */
        int dpi = sqlite3_column_int(st, 5) > 0 ? sqlite3_column_int(st, 5)
                                                 : sqlite3_column_int(st, 4);
        p->dpi = dpi > 0 ? dpi : 300;
    }
    if (!status && rc != SQLITE_DONE)
        status = db_fail(db, err, "cannot read the pages of a scan file");
    sqlite3_finalize(st);
    if (status) {
        free(v);
        return status;
    }
    *out = v;
    *n = k;
    return DG_OK;
}

/* The font the text is set in, refused when fontconfig would substitute
 * another (the PDF would then carry glyphs of whatever was installed). */
static int check_font(PangoFontDescription *fd, dg_err *err)
{
    PangoFontMap *map = pango_cairo_font_map_get_default();
    PangoContext *ctx = pango_font_map_create_context(map);
    PangoFont *font = pango_font_map_load_font(map, ctx, fd);
    int ok = 0;
    if (font) {
        PangoFontDescription *got = pango_font_describe(font);
        const char *family = pango_font_description_get_family(got);
        ok = family && strcmp(family, PDF_FONT) == 0;
        pango_font_description_free(got);
        g_object_unref(font);
    }
    g_object_unref(ctx);
    return ok ? DG_OK
              : dg_err_set(err, DG_ERR, "font '%s' not found: install fonts-noto-cjk", PDF_FONT);
}

/* The page's words, each set at its box: the layout's logical rectangle
 * scaled onto the box, so a selection covers the word on the scan. */
static int draw_words(sqlite3_stmt *words, cairo_t *cr, PangoLayout *layout, int64_t page,
                      dg_buf *clean, int *nwords, dg_err *err)
{
    sqlite3_reset(words);
    sqlite3_bind_int64(words, 1, page);
    int rc;
    *nwords = 0;
    cairo_set_source_rgb(cr, 0, 0, 0);
    while ((rc = sqlite3_step(words)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(words, 0);
        int x = sqlite3_column_int(words, 1), y = sqlite3_column_int(words, 2);
        int w = sqlite3_column_int(words, 3), h = sqlite3_column_int(words, 4);
        if (!text || !*text || w <= 0 || h <= 0)
            continue;
        /* pango warns on stderr about ill-formed UTF-8: clean it first. */
        if (ex_utf8_clean(text, clean))
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        pango_layout_set_text(layout, clean->data, -1);
        PangoRectangle ink, logical;
        pango_layout_get_extents(layout, &ink, &logical);
        if (logical.width <= 0 || logical.height <= 0)
            continue;
        cairo_save(cr);
        cairo_translate(cr, x, y);
        cairo_scale(cr, (double)w * PANGO_SCALE / logical.width,
                    (double)h * PANGO_SCALE / logical.height);
        pango_cairo_show_layout(cr, layout);
        cairo_restore(cr);
        (*nwords)++;
    }
    return rc == SQLITE_DONE ? DG_OK
                             : db_fail(sqlite3_db_handle(words), err, "cannot read OCR words");
}

/* Page page_index of the scan as a cairo image, through a PNG the OCR
 * module writes (only ocr/ decodes scans): png_path is scratch. */
static cairo_surface_t *page_image(const unsigned char *data, size_t len, const pdf_page *p,
                                   const arc_file_info *info, const char *png_path,
                                   dg_err *err)
{
    ocr_box all = {0, 0, p->width, p->height};
    if (ocr_crop_to_png(data, len, p->index, all, 0, png_path, err))
        return NULL;
    cairo_surface_t *img = cairo_image_surface_create_from_png(png_path);
    unlink(png_path);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        dg_err_set(err, DG_ERR, "cannot read page %d of '%s' back: %s", p->index + 1,
                   info->path, cairo_status_to_string(cairo_surface_status(img)));
        cairo_surface_destroy(img);
        return NULL;
    }
    /* A JPEG goes into the PDF as its own bytes (DCTDecode): the access
     * copy shows the very image ingested, not a re-encoding of it. */
    if (strcmp(info->format, "jpeg") == 0 && p->index == 0) {
        unsigned char *copy = malloc(len);
        if (copy) {
            memcpy(copy, data, len);
            if (cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_JPEG, copy, len, free, copy))
                free(copy);
        }
    }
    return img;
}

/* cairo's output collects in memory: pdfa.c reads it back to finish it. */
static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
    return dg_buf_add(closure, data, len) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

typedef struct pdf_job {
    sqlite3 *db;
    const arc_file_info *info;
    const unsigned char *data;
    size_t len;
    pdf_page *pages;
    size_t npages;
    const char *png_path;
    int without_text;
} pdf_job;

static int draw_pages(pdf_job *j, cairo_surface_t *surface, dg_err *err)
{
    sqlite3_stmt *words;
    if (db_prepare(j->db, "SELECT text, x, y, w, h FROM ocr_word WHERE page_id = ?1 "
                          "ORDER BY line_no, word_no",
                   &words, err))
        return DG_EDB;
    cairo_t *cr = cairo_create(surface);
    PangoLayout *layout = pango_cairo_create_layout(cr);
    /* Unhinted metrics: a word's extents scale with the font, so one
     * measurement at 100 px places it at any box size. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pango_layout_get_context(layout), fo);
    cairo_font_options_destroy(fo);
    PangoFontDescription *fd = pango_font_description_from_string(PDF_FONT);
    pango_font_description_set_absolute_size(fd, 100 * PANGO_SCALE);
    pango_layout_set_font_description(layout, fd);
    int rc = check_font(fd, err);
    pango_font_description_free(fd);
    dg_buf clean;
    dg_buf_init(&clean, 0);
    for (size_t i = 0; i < j->npages && !rc; i++) {
        const pdf_page *p = &j->pages[i];
        double k = 72.0 / p->dpi;
        cairo_pdf_surface_set_size(surface, p->width * k, p->height * k);
        cairo_surface_t *img =
            page_image(j->data, j->len, p, j->info, j->png_path, err);
        if (!img) {
            rc = DG_EINPUT;
            break;
        }
        cairo_save(cr);
        cairo_scale(cr, k, k);
        int n = 0;
        rc = draw_words(words, cr, layout, p->id, &clean, &n, err);
        j->without_text += n == 0;
        /* The scan over the words, scaled to the page if decoded smaller. */
        int iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
        cairo_scale(cr, (double)p->width / iw, (double)p->height / ih);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_surface_destroy(img);
        cairo_show_page(cr);
        if (!rc && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
            rc = dg_err_set(err, DG_ERR, "cannot draw page %d of '%s': %s", p->index + 1,
                            j->info->path, cairo_status_to_string(cairo_status(cr)));
    }
    dg_buf_release(&clean);
    g_object_unref(layout);
    cairo_destroy(cr);
    sqlite3_finalize(words);
    return rc;
}

static int write_pdf(pdf_job *j, FILE *out, dg_err *err)
{
    dg_buf pdf, title;
    dg_buf_init(&pdf, (size_t)1 << 31);
    dg_buf_init(&title, 0);
    char now[32], producer[128];
    dg_now_iso(now);
    snprintf(producer, sizeof producer, "dangan %s with cairo %s and qpdf", DANGAN_VERSION,
             cairo_version_string());
    int rc = ex_utf8_clean(j->info->path, &title);
    rc = rc ? rc : dg_buf_addf(&title, " (sha256 %s)", j->info->sha256);
    if (rc) {
        dg_buf_release(&title);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    /* The first page's size; each page sets its own. */
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(write_out, &pdf, 595, 842);
    cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_5);
    rc = draw_pages(j, surface, err);
    cairo_surface_finish(surface);
    if (!rc && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        rc = dg_err_set(err, DG_ERR, "cannot write the PDF of '%s': %s", j->info->path,
                        cairo_status_to_string(cairo_surface_status(surface)));
    cairo_surface_destroy(surface);
    ex_pdf_meta meta = {.title = title.data,
                        .subject = "access copy: the scan with its OCR text",
                        .creator = "dangan " DANGAN_VERSION,
                        .producer = producer,
                        .created = now};
    rc = rc ? rc : ex_pdfa_finish((const unsigned char *)pdf.data, pdf.len, &meta, out, err);
    dg_buf_release(&pdf);
    dg_buf_release(&title);
    return rc;
}

int ex_pdf_write(sqlite3 *db, int64_t file, const char *pdf_path, int *pages_without_text,
                 dg_err *err)
{
    arc_file_info info;
    unsigned char *data;
    size_t len;
    int rc = arc_file_read(db, file, &info, &data, &len, err);
    if (rc)
        return rc;
    pdf_job j = {.db = db, .info = &info, .data = data, .len = len};
    rc = read_pages(db, file, &j.pages, &j.npages, err);
    char tmp[4200], png[4200];
    if (!rc && (snprintf(tmp, sizeof tmp, "%s.tmp", pdf_path) >= (int)sizeof tmp ||
                snprintf(png, sizeof png, "%s.page.png", pdf_path) >= (int)sizeof png))
        rc = dg_err_set(err, DG_EUSAGE, "path too long: '%s'", pdf_path);
    FILE *out = rc ? NULL : ex_fopen_private(tmp, err);
    if (!rc && !out)
        rc = DG_ERR;
    if (!rc) {
        /* The scratch PNG holds a page of personal data: 0600 too. */
        FILE *p = ex_fopen_private(png, err);
        rc = p ? (fclose(p), DG_OK) : DG_ERR;
    }
    if (!rc) {
        j.png_path = png;
        rc = write_pdf(&j, out, err);
    }
    if (out) {
        if (fclose(out) != 0 && !rc)
            rc = dg_err_set(err, DG_ERR, "cannot write '%s': %s", tmp, strerror(errno));
        if (!rc && rename(tmp, pdf_path) != 0)
            rc = dg_err_set(err, DG_ERR, "cannot write '%s': %s", pdf_path, strerror(errno));
        if (rc)
            unlink(tmp);
    }
    unlink(png);
    if (pages_without_text)
        *pages_without_text = j.without_text;
    free(j.pages);
    free(data);
    arc_file_info_release(&info);
    return rc;
}

int ex_pdf_files(sqlite3 *db, const char *which, int64_t **ids, size_t *n, dg_err *err)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st;
    /* An id, a SHA-256 or any path the file was ingested under (aliases too). */
    if (db_prepare(db,
                   "SELECT id FROM file WHERE ?1 IS NULL OR CAST(id AS TEXT) = ?1 "
                   "OR sha256 = lower(?1) OR path = ?1 OR abspath = ?1 OR id IN "
                   "(SELECT file_id FROM file_path WHERE path = ?1 OR abspath = ?1) ORDER BY id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, which, -1, SQLITE_STATIC);
    int rc, status = DG_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t *v = ex_grow(*ids, *n, sizeof **ids);
        if (!v) {
            status = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        *ids = v;
        v[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (!status && rc != SQLITE_DONE)
        status = db_fail(db, err, "cannot list the scan files");
    sqlite3_finalize(st);
    if (!status && which && *n == 0)
        status = dg_err_set(err, DG_ENOTFOUND,
                            "no scan file '%s' (give its id, SHA-256 or path as ingested)", which);
    if (status) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return status;
}

int ex_pdf_log(sqlite3 *db, const char *who, const char *which, long count, dg_err *err)
{
    dg_buf q;
    dg_buf_init(&q, 0);
    int rc = dg_buf_adds(&q, "{\"what\":\"pdf\",\"file\":");
    rc = rc ? rc : dg_buf_json_str(&q, which);
    rc = rc ? rc : dg_buf_addc(&q, '}');
    rc = rc ? dg_err_set(err, DG_ENOMEM, "out of memory")
            : ex_log_export(db, who, q.data, count, err);
    dg_buf_release(&q);
    return rc;
}
