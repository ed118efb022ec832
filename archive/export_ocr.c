/*
 * export_ocr.c - OCR output leaving the database: the page text of every
 * page as JSON lines, and one page as hOCR, ALTO or plain text.  Built from
 * the stored lines and words (not by re-running Tesseract), so an export
 * shows exactly what later stages used.
 */
#include <sqlite3.h>
#include <string.h>

#include "archive.h"

/* Page text: its lines in reading order, one per line. */
static int page_text(sqlite3 *db, int64_t page_id, dg_buf *out)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT text FROM ocr_line WHERE page_id = ? ORDER BY seq", &st, NULL))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, page_id);
    int first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (!t || !*t)
            continue;
        if (!first)
            dg_buf_addc(out, '\n');
        first = 0;
        dg_buf_adds(out, t);
    }
    sqlite3_finalize(st);
    return DG_OK;
}

int arc_export_pages(sqlite3 *db, FILE *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT p.id, f.path, f.sha256, p.page_index, p.width, p.height, p.dpi, "
                       "p.state FROM page p JOIN file f ON f.id = p.file_id ORDER BY f.id, "
                       "p.page_index",
                   &st, err))
        return DG_EDB;
    dg_buf line, text;
    dg_buf_init(&line, 0);
    dg_buf_init(&text, 0);
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        dg_buf_reset(&line);
        dg_buf_reset(&text);
        rc = page_text(db, sqlite3_column_int64(st, 0), &text);
        dg_buf_adds(&line, "{\"file\":");
        dg_buf_json_str(&line, (const char *)sqlite3_column_text(st, 1));
        dg_buf_adds(&line, ",\"sha256\":");
        dg_buf_json_str(&line, (const char *)sqlite3_column_text(st, 2));
        dg_buf_addf(&line, ",\"page\":%d,\"page_id\":%lld,\"width\":%d,\"height\":%d,\"dpi\":%d,"
                           "\"state\":",
                    sqlite3_column_int(st, 3) + 1, (long long)sqlite3_column_int64(st, 0),
                    sqlite3_column_int(st, 4), sqlite3_column_int(st, 5),
                    sqlite3_column_int(st, 6));
        dg_buf_json_str(&line, (const char *)sqlite3_column_text(st, 7));
        dg_buf_adds(&line, ",\"text\":");
        dg_buf_json_str(&line, text.data ? text.data : "");
        dg_buf_adds(&line, "}\n");
        fputs(line.data, out);
    }
    sqlite3_finalize(st);
    dg_buf_release(&line);
    dg_buf_release(&text);
    return rc ? db_fail(db, err, "cannot export pages") : DG_OK;
}

/* XML text escaping for hOCR and ALTO. */
static void xml_text(dg_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) { /* a non-UTF-8 file name: U+FFFD keeps the XML well-formed */
            dg_utf8_add(b, dg_utf8_next(s, n, &i));
            continue;
        }
        i++;
        switch (c) {
        case '<': dg_buf_adds(b, "&lt;"); break;
        case '>': dg_buf_adds(b, "&gt;"); break;
        case '&': dg_buf_adds(b, "&amp;"); break;
        case '"': dg_buf_adds(b, "&quot;"); break;
        default:
            /* XML 1.0 has no other control characters, not even escaped */
            dg_buf_addc(b, c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '?' : (char)c);
        }
    }
}

typedef struct page_meta {
    int width, height, index;
    char path[1024];
} page_meta;

static int read_page_meta(sqlite3 *db, int64_t page_id, page_meta *m, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT p.width, p.height, p.page_index, f.path FROM page p JOIN file f "
                       "ON f.id = p.file_id WHERE p.id = ?",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, page_id);
    int rc = DG_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        m->width = sqlite3_column_int(st, 0);
        m->height = sqlite3_column_int(st, 1);
        m->index = sqlite3_column_int(st, 2);
        snprintf(m->path, sizeof m->path, "%s", sqlite3_column_text(st, 3));
    } else {
        rc = dg_err_set(err, DG_ENOTFOUND, "no page with id %lld", (long long)page_id);
    }
    sqlite3_finalize(st);
    return rc;
}

/* line_start: 0 inside a line, 1 first line of the page, 2 a later line. */
typedef void (*word_fn)(dg_buf *b, int line_start, int line_id, int x, int y, int w, int h,
                        double conf, const char *text, int lx, int ly, int lw, int lh);

static int walk_words(sqlite3 *db, int64_t page_id, dg_buf *b, word_fn fn)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT l.seq, w.x, w.y, w.w, w.h, w.conf, w.text, l.x, l.y, l.w, l.h "
                       "FROM ocr_word w JOIN ocr_line l ON l.id = w.line_id WHERE w.page_id = ? "
                       "ORDER BY l.seq, w.word_no",
                   &st, NULL))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, page_id);
    int last = -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int seq = sqlite3_column_int(st, 0);
        fn(b, seq == last ? 0 : last < 0 ? 1 : 2, seq, sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
           sqlite3_column_int(st, 3), sqlite3_column_int(st, 4), sqlite3_column_double(st, 5),
           (const char *)sqlite3_column_text(st, 6), sqlite3_column_int(st, 7),
           sqlite3_column_int(st, 8), sqlite3_column_int(st, 9), sqlite3_column_int(st, 10));
        last = seq;
    }
    sqlite3_finalize(st);
    return last;
}

static void hocr_word(dg_buf *b, int line_start, int line_id, int x, int y, int w, int h,
                      double conf, const char *text, int lx, int ly, int lw, int lh)
{
    if (line_start) {
        if (line_start == 2)
            dg_buf_adds(b, "   </span>\n");
        dg_buf_addf(b, "   <span class='ocr_line' id='line_%d' title='bbox %d %d %d %d'>\n",
                    line_id, lx, ly, lx + lw, ly + lh);
    }
    dg_buf_addf(b, "    <span class='ocrx_word' title='bbox %d %d %d %d; x_wconf %d'>", x, y,
                x + w, y + h, (int)(conf + 0.5));
    xml_text(b, text);
    dg_buf_adds(b, "</span>\n");
}

static void alto_word(dg_buf *b, int line_start, int line_id, int x, int y, int w, int h,
                      double conf, const char *text, int lx, int ly, int lw, int lh)
{
    if (line_start) {
        if (line_start == 2)
            dg_buf_adds(b, "    </TextLine>\n");
        dg_buf_addf(b, "    <TextLine ID=\"line_%d\" HPOS=\"%d\" VPOS=\"%d\" WIDTH=\"%d\" "
                       "HEIGHT=\"%d\">\n",
                    line_id, lx, ly, lw, lh);
    }
    dg_buf_addf(b, "     <String HPOS=\"%d\" VPOS=\"%d\" WIDTH=\"%d\" HEIGHT=\"%d\" WC=\"%.2f\" "
                   "CONTENT=\"",
                x, y, w, h, conf / 100.0);
    xml_text(b, text);
    dg_buf_adds(b, "\"/>\n");
}

static int export_hocr(sqlite3 *db, int64_t page_id, const page_meta *m, FILE *out)
{
    dg_buf body;
    dg_buf_init(&body, 0);
    int last = walk_words(db, page_id, &body, hocr_word);
    if (last >= 0)
        dg_buf_adds(&body, "   </span>\n");
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html PUBLIC "
                 "\"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
                 "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
                 "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"zh\">\n<head>\n"
                 " <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
                 " <meta name='ocr-system' content='dangan %s'/>\n"
                 " <meta name='ocr-capabilities' content='ocr_page ocr_line ocrx_word'/>\n"
                 "</head>\n<body>\n <div class='ocr_page' id='page_%lld' title='bbox 0 0 %d %d; "
                 "ppageno %d'>\n",
            DANGAN_VERSION, (long long)page_id, m->width, m->height, m->index);
    fputs(body.data ? body.data : "", out);
    fputs(" </div>\n</body>\n</html>\n", out);
    dg_buf_release(&body);
    return DG_OK;
}

static int export_alto(sqlite3 *db, int64_t page_id, const page_meta *m, FILE *out)
{
    dg_buf body;
    dg_buf_init(&body, 0);
    int last = walk_words(db, page_id, &body, alto_word);
    if (last >= 0)
        dg_buf_adds(&body, "    </TextLine>\n");
    dg_buf name;
    dg_buf_init(&name, 0);
    xml_text(&name, m->path);
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v3#\">\n"
                 " <Description>\n  <MeasurementUnit>pixel</MeasurementUnit>\n"
                 "  <sourceImageInformation><fileName>%s</fileName></sourceImageInformation>\n"
                 " </Description>\n <Layout>\n  <Page ID=\"page_%lld\" PHYSICAL_IMG_NR=\"%d\" "
                 "WIDTH=\"%d\" HEIGHT=\"%d\">\n   <PrintSpace>\n    <TextBlock ID=\"block_0\">\n",
            name.data ? name.data : "", (long long)page_id, m->index + 1, m->width, m->height);
    fputs(body.data ? body.data : "", out);
    fputs("    </TextBlock>\n   </PrintSpace>\n  </Page>\n </Layout>\n</alto>\n", out);
    dg_buf_release(&body);
    dg_buf_release(&name);
    return DG_OK;
}

int arc_export_ocr(sqlite3 *db, int64_t page_id, const char *format, FILE *out, dg_err *err)
{
    page_meta m;
    if (read_page_meta(db, page_id, &m, err))
        return err ? err->code : DG_ENOTFOUND;
    if (strcmp(format, "txt") == 0) {
        dg_buf t;
        dg_buf_init(&t, 0);
        int rc = page_text(db, page_id, &t);
        fputs(t.data ? t.data : "", out);
        fputc('\n', out);
        dg_buf_release(&t);
        return rc ? db_fail(db, err, "cannot export page text") : DG_OK;
    }
    if (strcmp(format, "hocr") == 0)
        return export_hocr(db, page_id, &m, out);
    if (strcmp(format, "alto") == 0)
        return export_alto(db, page_id, &m, out);
    return dg_err_set(err, DG_EUSAGE, "unknown OCR export format '%s' (use hocr, alto or txt)",
                      format);
}
