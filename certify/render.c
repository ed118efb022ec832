/*
 * render.c - the certificate's page: A4, drawn with cairo and set with pango
 * in Noto CJK (as exchange/pdf.c does, and refused the same way when
 * fontconfig would substitute another font), the QR code from libqrencode
 * drawn as filled squares (vector: sharp at any print resolution), and the
 * signed payload in the PDF's Keywords so `dangan verify FILE.pdf` reads it
 * back without OCR.  The payload is ASCII (base64url), so cairo writes it as
 * a plain PDF string.
 */
#include "certify_internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CERT_SANS "Noto Sans CJK SC"
#define CERT_SERIF "Noto Serif CJK SC"
#define A4_W 595.276
#define A4_H 841.890
#define MARGIN 56.0
#define CERT_QR 140.0 /* side of the QR code, points */

/* Labels of the certified fields; the English ones are ours (field names,
 * not official translations of disciplines or degrees). */
static const struct {
    const char *key, *zh, *en;
} labels[] = {
    {"name", "姓名", "Name"},
    {"sex", "性别", "Sex"},
    {"birth_date", "出生年月", "Date of birth"},
    {"student_no", "学号", "Student number"},
    {"department", "院系", "Department"},
    {"major", "专业（当时）", "Major (as recorded)"},
    {"major_code", "专业代码（当时）", "Major code (as recorded)"},
    {"enroll_date", "入学年月", "Enrolled"},
    {"grad_date", "毕业年月", "Graduated"},
    {"degree", "学位", "Degree"},
    {"certificate_no", "证书编号", "Certificate number"},
    {"supervisor", "导师", "Supervisor"},
    {"university", "学校（档案所载）", "University (as recorded)"},
    {"current_code", "现行学科代码（2022年目录）", "Discipline code (2022 catalogue)"},
    {"current_name", "现行学科名称（2022年目录）", "Discipline (2022 catalogue)"},
};

/* configs/disciplines holds no English names of the 2022 disciplines or of
 * degrees (see its README): an English certificate says so instead of
 * inventing a translation. */
static const char no_english[] =
    "(no official English name in the sources this archive holds; Chinese as catalogued)";

const char *cert_field_label(const char *key, int en)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].key, key) == 0)
            return en ? labels[i].en : labels[i].zh;
    return key;
}

typedef struct pen {
    cairo_t *cr;
    PangoLayout *layout;
    PangoFontDescription *sans, *serif;
} pen;

/* Set text at (x, y) in a box width wide; returns the height used. */
static double put(pen *p, const char *text, double x, double y, double width, int serif,
                  double size, PangoAlignment align)
{
    PangoFontDescription *fd = serif ? p->serif : p->sans;
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(p->layout, fd);
    pango_layout_set_width(p->layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(p->layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(p->layout, align);
    pango_layout_set_text(p->layout, text, -1);
    /* cairo 1.16's CFF subsetter drops some glyphs of Noto Sans CJK (如,
     * for one: a box in poppler and ghostscript alike; docs/certify.md), and
     * a certificate must never lose a character of a name.  So what is seen
     * is the glyphs' outlines as paths, straight from the font, and the text
     * (for search, copy and pdftotext) lies under them nearly transparent,
     * where a dropped glyph cannot show. */
    cairo_pattern_t *ink = cairo_pattern_reference(cairo_get_source(p->cr));
    cairo_set_source_rgba(p->cr, 1, 1, 1, 0.01);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, p->layout);
    cairo_set_source(p->cr, ink);
    cairo_pattern_destroy(ink);
    cairo_new_path(p->cr);
    cairo_move_to(p->cr, x, y);
    pango_cairo_layout_path(p->cr, p->layout);
    cairo_fill(p->cr);
    int w, h;
    pango_layout_get_size(p->layout, &w, &h);
    return (double)h / PANGO_SCALE;
}

static int font_ok(const char *family)
{
    PangoFontMap *map = pango_cairo_font_map_get_default();
    PangoContext *ctx = pango_font_map_create_context(map);
    PangoFontDescription *fd = pango_font_description_from_string(family);
    PangoFont *font = pango_font_map_load_font(map, ctx, fd);
    int ok = 0;
    if (font) {
        PangoFontDescription *got = pango_font_describe(font);
        const char *f = pango_font_description_get_family(got);
        ok = f && strcmp(f, family) == 0;
        pango_font_description_free(got);
        g_object_unref(font);
    }
    pango_font_description_free(fd);
    g_object_unref(ctx);
    return ok;
}

static int draw_qr(cairo_t *cr, const char *payload, double x, double y, double size,
                   dg_err *err)
{
    QRcode *qr = QRcode_encodeString8bit(payload, 0, QR_ECLEVEL_L);
    if (!qr)
        return dg_err_set(err, DG_ERR, "cannot make the QR code (%zu bytes of payload)",
                          strlen(payload));
    double m = size / (qr->width + 8); /* a quiet zone of 4 modules each side */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int r = 0; r < qr->width; r++)
        for (int c = 0; c < qr->width; c++)
            if (qr->data[r * qr->width + c] & 1)
                cairo_rectangle(cr, x + (c + 4) * m, y + (r + 4) * m, m, m);
    cairo_fill(cr);
    QRcode_free(qr);
    return DG_OK;
}

static void text_or(dg_buf *b, const char *zh, const char *en, const char *lang)
{
    if (strcmp(lang, "en") == 0)
        dg_buf_adds(b, en);
    else if (strcmp(lang, "both") == 0)
        dg_buf_addf(b, "%s %s", zh, en);
    else
        dg_buf_adds(b, zh);
}

static int is_translated_key(const char *key)
{
    return strcmp(key, "current_name") == 0 || strcmp(key, "degree") == 0 ||
           strcmp(key, "major") == 0;
}

static double draw_body(pen *p, const cert_page *pg)
{
    cairo_t *cr = p->cr;
    int zh = strcmp(pg->lang, "en") != 0, en = strcmp(pg->lang, "zh") != 0;
    double w = A4_W - 2 * MARGIN, y = MARGIN;
    dg_buf b;
    dg_buf_init(&b, 0);
    cairo_set_source_rgb(cr, 0.55, 0.05, 0.05);
    if (zh)
        y += put(p, pg->conf->university, MARGIN, y, w, 1, 26, PANGO_ALIGN_CENTER) + 2;
    if (en && *pg->conf->university_en)
        y += put(p, pg->conf->university_en, MARGIN, y, w, 1, zh ? 14 : 24, PANGO_ALIGN_CENTER);
    y += 10;
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_or(&b, "学籍证明", "Certificate of Record", pg->lang);
    y += put(p, b.data, MARGIN, y, w, 1, 22, PANGO_ALIGN_CENTER) + 4;
    dg_buf_reset(&b);
    dg_buf_addf(&b, "%s  %s", zh && en ? "证明编号 / Serial No." : zh ? "证明编号" : "Serial No.",
                pg->serial);
    y += put(p, b.data, MARGIN, y, w, 0, 10, PANGO_ALIGN_CENTER) + 14;
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, MARGIN, y);
    cairo_line_to(cr, A4_W - MARGIN, y);
    cairo_stroke(cr);
    y += 10;

    dg_buf_reset(&b);
    text_or(&b, "兹证明下列人员在我校研究生学籍档案中的记载如下：",
            "This certifies that the graduate student records of this university hold:",
            pg->lang);
    y += put(p, b.data, MARGIN, y, w, 0, 11, PANGO_ALIGN_LEFT) + 8;

    double lw = zh && en ? 230 : en ? 180 : 150;
    for (size_t i = 0; i < pg->n; i++) {
        dg_buf_reset(&b);
        if (zh && en)
            dg_buf_addf(&b, "%s / %s", cert_field_label(pg->keys[i], 0),
                        cert_field_label(pg->keys[i], 1));
        else
            dg_buf_adds(&b, cert_field_label(pg->keys[i], en));
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        double h1 = put(p, b.data, MARGIN, y + 1.5, lw - 8, 0, 8.5, PANGO_ALIGN_LEFT);
        cairo_set_source_rgb(cr, 0, 0, 0);
        dg_buf_reset(&b);
        dg_buf_adds(&b, pg->values[i]);
        if (en && strcmp(pg->keys[i], "sex") == 0)
            dg_buf_adds(&b, strcmp(pg->values[i], "男") == 0   ? " (male)"
                            : strcmp(pg->values[i], "女") == 0 ? " (female)"
                                                                : "");
        if (en && pg->name_pinyin && strcmp(pg->keys[i], "name") == 0)
            dg_buf_addf(&b, "  %s", pg->name_pinyin);
        if (strcmp(pg->keys[i], "major") == 0 && *pg->edition)
            dg_buf_addf(&b, zh ? "（%s年专业目录）" : " (catalogue of %s)", pg->edition);
        double h2 = put(p, b.data, MARGIN + lw, y, w - lw, 0, 11, PANGO_ALIGN_LEFT);
        if (en && is_translated_key(pg->keys[i])) {
            cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
            h2 += put(p, no_english, MARGIN + lw, y + h2, w - lw, 0, 7.5, PANGO_ALIGN_LEFT);
        }
        y += (h1 > h2 ? h1 : h2) + 3;
    }
    y += 6;
    dg_buf_reset(&b);
    if (*pg->path) {
        if (zh)
            dg_buf_addf(&b, "学科对应路径：%s。", pg->path);
        if (en)
            dg_buf_addf(&b, "%sCrosswalk to the 2022 catalogue: %s.", zh ? "\n" : "", pg->path);
    }
    if (*pg->decided) {
        if (zh)
            dg_buf_addf(&b, "\n此对应由人工审核确定（%s）。", pg->decided);
        if (en)
            dg_buf_addf(&b, "\nThis mapping was decided by a person (%s), not by the catalogue.",
                        pg->decided);
    }
    if (b.len) {
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        y += put(p, b.data, MARGIN, y, w, 0, 9, PANGO_ALIGN_LEFT) + 8;
    }
    if (pg->requester) {
        dg_buf_reset(&b);
        if (zh)
            dg_buf_addf(&b, "应 %s 之请，用于：%s。", pg->requester, pg->purpose);
        if (en)
            dg_buf_addf(&b, "%sIssued at the request of %s for: %s.", zh ? "\n" : "",
                        pg->requester, pg->purpose);
        cairo_set_source_rgb(cr, 0, 0, 0);
        y += put(p, b.data, MARGIN, y, w, 0, 10, PANGO_ALIGN_LEFT) + 8;
    }

    /* the foot: QR and how to verify on the left, issuer, date and seal on the right */
    double qs = CERT_QR, qy = A4_H - MARGIN - qs - 48;
    if (y + 6 > qy)
        qy = y + 6; /* a long record pushes the foot down rather than under it */
    cairo_set_source_rgb(cr, 0, 0, 0);
    dg_buf_reset(&b);
    if (zh)
        dg_buf_addf(&b, "验证码：%s\n", pg->code);
    if (en)
        dg_buf_addf(&b, "Verification code: %s\n", pg->code);
    const char *url = pg->conf->verify_url;
    if (zh && *url)
        dg_buf_addf(&b, "扫描二维码，或在 %s 输入验证码，核验真伪及此后是否更正。", url);
    else if (zh)
        dg_buf_adds(&b, "扫描二维码或运行 dangan verify 核验真伪及此后是否更正。");
    if (en && *url)
        dg_buf_addf(&b, "%sScan the QR code, or enter the code at %s, to check authenticity "
                        "and later amendments.", zh ? "\n" : "", url);
    else if (en)
        dg_buf_addf(&b, "%sScan the QR code or run `dangan verify` to check authenticity and "
                        "later amendments.", zh ? "\n" : "");
    put(p, b.data, MARGIN, qy + qs + 2, 300, 0, 8.5, PANGO_ALIGN_LEFT);

    double rx = A4_W - MARGIN - 200;
    dg_buf_reset(&b);
    if (zh)
        dg_buf_addf(&b, "%s\n%s\n签发日期：%.10s\n", pg->conf->university, pg->conf->office,
                    pg->issued);
    if (en)
        dg_buf_addf(&b, "%s\n%s\nIssued: %.10s\n",
                    *pg->conf->university_en ? pg->conf->university_en : pg->conf->university,
                    *pg->conf->office_en ? pg->conf->office_en : pg->conf->office, pg->issued);
    put(p, b.data, rx, qy, 200, 0, 10, PANGO_ALIGN_CENTER);
    /* the seal area: a dashed circle the registrar stamps into */
    cairo_set_source_rgb(cr, 0.7, 0.1, 0.1);
    cairo_set_line_width(cr, 0.8);
    double dash[] = {4, 3};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_new_path(cr);
    cairo_arc(cr, rx + 100, qy + qs - 10, 50, 0, 2 * G_PI);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    put(p, zh ? pg->conf->seal_text : pg->conf->seal_text_en, rx, qy + qs - 18, 200, 0, 9,
        PANGO_ALIGN_CENTER);
    dg_buf_release(&b);
    return qy;
}

static cairo_status_t write_fd(void *closure, const unsigned char *data, unsigned int len)
{
    int fd = *(int *)closure;
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return CAIRO_STATUS_WRITE_ERROR;
        data += n;
        len -= (unsigned)n;
    }
    return CAIRO_STATUS_SUCCESS;
}

int cert_render_pdf(const cert_page *pg, const char *path, dg_err *err)
{
    if (!font_ok(CERT_SANS) || !font_ok(CERT_SERIF))
        return dg_err_set(err, DG_ERR, "fonts '%s' and '%s' not found: install fonts-noto-cjk",
                          CERT_SANS, CERT_SERIF);
    /* 0600: a certificate discloses a person's record */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return dg_err_set(err, DG_ERR, "cannot create '%s': %s", path, strerror(errno));
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_fd, &fd, A4_W, A4_H);
    char title[96];
    snprintf(title, sizeof title, "学籍证明 %s", pg->serial);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "dangan certify");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, pg->payload);
    cairo_t *cr = cairo_create(s);
    pen p = {cr, pango_cairo_create_layout(cr), pango_font_description_from_string(CERT_SANS),
             pango_font_description_from_string(CERT_SERIF)};
    double qy = draw_body(&p, pg);
    /* with a verification page, the QR code is a link to it (verify and
     * the page find the payload inside it alike) */
    dg_buf qr;
    dg_buf_init(&qr, 0);
    int nomem = (*pg->conf->verify_url && dg_buf_addf(&qr, "%s?p=", pg->conf->verify_url)) ||
                dg_buf_adds(&qr, pg->payload);
    int rc = nomem ? dg_err_set(err, DG_ENOMEM, "out of memory")
                   : draw_qr(cr, qr.data, MARGIN, qy, CERT_QR, err);
    dg_buf_release(&qr);
    pango_font_description_free(p.sans);
    pango_font_description_free(p.serif);
    g_object_unref(p.layout);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_status_t cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    int synced = fsync(fd) == 0;
    if (close(fd) != 0)
        synced = 0;
    if (!rc && (cs != CAIRO_STATUS_SUCCESS || !synced))
        rc = dg_err_set(err, DG_ERR, "cannot write '%s': %s", path,
                        cs != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(cs) : strerror(errno));
    if (rc)
        unlink(path);
    return rc;
}
