/*
 * test_ocr_plain.c - when the page's plain reading (made first on a page
 * with no grid) confirms a phrase's first reading, and when it does not
 * (ocr_plain_agrees, floor.c): only a confident plain reading over the same
 * place holding the characters read spares the phrase its variants.
 */
#include <stdlib.h>
#include <string.h>

#include "reading.h"
#include "testlib.h"

static void add(line_vec *v, const char *text, float conf, ocr_box box)
{
    ocr_line l = {0};
    l.text = strdup(text);
    l.conf = conf;
    l.box = box;
    l.cell = -1;
    line_key k = {0};
    if (!l.text || ocr_vec_append(v, &l, &k) != DG_OK)
        free(l.text);
}

int main(void)
{
    tl_state t = {0};
    ocr_box line = {100, 200, 600, 50};
    ocr_box phrase = {300, 205, 200, 42}; /* a phrase inside the plain line */
    ocr_box elsewhere = {100, 900, 600, 50};

    line_vec plain = {0}, got = {0}, other = {0}, longer = {0};
    add(&plain, "通信与电子系统 研究生", 91.0f, line);
    add(&got, "通信与电子系统", 45.0f, phrase);
    add(&other, "通值和电子系", 45.0f, phrase);
    add(&longer, "通信与电子系统研究生名册登记", 45.0f, phrase);

    /* the same characters under a confident plain line: confirmed */
    CHECK(&t, ocr_plain_agrees(&plain, phrase, &got));
    /* read otherwise (two of six characters the plain line lacks) */
    CHECK(&t, !ocr_plain_agrees(&plain, phrase, &other));
    /* more characters than the plain reading holds there */
    CHECK(&t, !ocr_plain_agrees(&plain, phrase, &longer));
    /* no plain line over the place */
    CHECK(&t, !ocr_plain_agrees(&plain, elsewhere, &got));

    /* the same plain text read without confidence confirms nothing */
    line_vec unsure = {0};
    add(&unsure, "通信与电子系统 研究生", 55.0f, line);
    CHECK(&t, !ocr_plain_agrees(&unsure, phrase, &got));

    /* an empty first reading is never confirmed (it is the one to retry) */
    line_vec empty = {0};
    CHECK(&t, !ocr_plain_agrees(&plain, phrase, &empty));

    ocr_vec_free(&plain);
    ocr_vec_free(&got);
    ocr_vec_free(&other);
    ocr_vec_free(&longer);
    ocr_vec_free(&unsure);
    return tl_exit_status(&t, "test_ocr_plain");
}
