/*
 * test_ocr_text.c - Tesseract's line text as stored: ASCII punctuation is
 * widened next to Han only, spaces between Han dropped, stray marks
 * trimmed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"
#include "testlib.h"
#include "testpage.h"

/* Tesseract's line text as dangan stores it: widened (parentheses as the
 * print sets them), then tidied. */
static void check_print(tl_state *t, const char *in, int narrow_parens, const char *want)
{
    char *wide = ocr_widen_punctuation(in, narrow_parens);
    char *got = wide ? ocr_tidy_text(wide) : NULL;
    CHECK(t, got && strcmp(got, want) == 0);
    if (got && strcmp(got, want) != 0)
        fprintf(stderr, "text '%s': got '%s', want '%s'\n", in, got, want);
    free(wide);
    free(got);
}

static void check_text(tl_state *t, const char *in, const char *want)
{
    check_print(t, in, 0, want);
}

static void test_text(tl_state *t)
{
    check_text(t, "系 (所) : 力学系", "系（所）：力学系");
    check_text(t, "制表日期: 1990年7月", "制表日期： 1990年7月");
    check_text(t, "1985:7 (a)", "1985:7 (a)");
    check_text(t, "姓  名", "姓名");
    /* （ read as 〈: the angle bracket a ） closes is the parenthesis */
    check_text(t, "本人简历〈从高中起)", "本人简历（从高中起）");
    check_text(t, "〈书名〉 (注)", "〈书名〉（注）");
    check_text(t, "〈甲〈乙）", "〈甲（乙）");
    /* where the print sets them half width they stay ASCII, other marks
     * are widened as before */
    check_print(t, "系(所): 力学系", 1, "系(所)：力学系");
    check_print(t, "系（所）", 1, "系(所)");
    check_print(t, "本人简历〈从高中起)", 1, "本人简历(从高中起)");
    /* a colon or comma between digits of a bare number is its dot */
    char num[] = "52:05", big[] = "1990,7", mark[] = "1985.7:", word[] = "第1:2页";
    CHECK(t, ocr_bare_number(num) && ocr_number_dots(num) && strcmp(num, "52.05") == 0);
    CHECK(t, ocr_number_dots(big) && strcmp(big, "1990.7") == 0);
    CHECK(t, !ocr_number_dots(mark) && strcmp(mark, "1985.7:") == 0); /* not between digits */
    CHECK(t, !ocr_bare_number(word) && !ocr_bare_number("..") && ocr_bare_number("84 :09"));
    char *plain = ocr_tidy_text("系 (所) :");
    CHECK(t, plain && strcmp(plain, "系 (所) :") == 0); /* tidying alone does not widen */
    free(plain);
    /* words are widened beside their neighbours in the line: extraction
     * builds values from words, and a lone ")" after 教授 was kept ASCII */
    const char *in[] = {"韦", "志勇", "(教授", ")", "S86-7", ":"};
    const char *want[] = {"韦", "志勇", "（教授", "）", "S86-7", ":"};
    ocr_word w[6] = {{0}};
    for (int i = 0; i < 6; i++)
        w[i].text = strdup(in[i]);
    CHECK(t, ocr_widen_words(w, 6, 0) == DG_OK);
    for (int i = 0; i < 6; i++) {
        CHECK(t, w[i].text && strcmp(w[i].text, want[i]) == 0);
        free(w[i].text);
    }
    CHECK(t, ocr_widen_words(NULL, 0, 0) == DG_OK);
    /* no line starts with a colon, and none follows another */
    char seal[] = "：浙江大学研究生院制", twice[] = "经办人： ：万振华", label[] = "系（所）：",
         dotted[] = "1985:7";
    int at[4] = {1, 1, 1, 1}; /* each a line of its own */
    CHECK(t, ocr_strip_stray_colons(seal, &at[0]) && strcmp(seal, "浙江大学研究生院制") == 0);
    CHECK(t, ocr_strip_stray_colons(twice, &at[1]) && strcmp(twice, "经办人： 万振华") == 0);
    CHECK(t, !ocr_strip_stray_colons(label, &at[2]) && strcmp(label, "系（所）：") == 0);
    CHECK(t, !ocr_strip_stray_colons(dotted, &at[3]) && strcmp(dotted, "1985:7") == 0);
    /* marks before a character are specks; before a digit, a split dot */
    char lead[] = "-毕业年月", quote[] = "“所在系", split[] = ".7", han[] = "研字";
    CHECK(t, ocr_trim_marks_before_han(lead) && strcmp(lead, "毕业年月") == 0);
    CHECK(t, ocr_trim_marks_before_han(quote) && strcmp(quote, "所在系") == 0);
    CHECK(t, !ocr_trim_marks_before_han(split) && strcmp(split, ".7") == 0);
    CHECK(t, !ocr_trim_marks_before_han(han) && strcmp(han, "研字") == 0);
    /* marks no record uses: chi_sim's reading of broken strokes */
    char br[] = "[学硕十", id[] = "No.893406", date[] = "1985年7月";
    CHECK(t, ocr_drop_foreign_marks(br) == 1 && strcmp(br, "学硕十") == 0);
    CHECK(t, ocr_drop_foreign_marks(id) == 0 && strcmp(id, "No.893406") == 0);
    CHECK(t, ocr_drop_foreign_marks(date) == 0 && strcmp(date, "1985年7月") == 0);
}

int main(void)
{
    tl_state t = {0};
    ocr_quiet_leptonica();
    test_text(&t);
    return tl_exit_status(&t, "test_ocr_text");
}
