/*
 * fieldkeys.c - the table of field keys (see fieldkeys.h).
 */
#include "fieldkeys.h"

#include <string.h>

const char *const dg_vtype_names[DG_VT_COUNT] = {"name", "date", "code",
                                                 "enum", "number", "text"};

#define P DG_FK_PERSON
#define S DG_FK_STUDY
#define N DG_FK_NOWHERE

const dg_field_key dg_field_keys[] = {
    /* archived, in output order */
    {"name", DG_FK_NAME, DG_VT_NAME, NULL, DG_FK_WRITTEN, P, "name_written"},
    {"sex", DG_FK_SEX, DG_VT_ENUM, NULL, DG_FK_FIELD, P, "sex"},
    {"birth_date", DG_FK_MONTH, DG_VT_DATE, "birth", DG_FK_FIELD, P, "birth"},
    {"student_no", DG_FK_TEXT, DG_VT_CODE, NULL, DG_FK_FIELD, S, "student_no"},
    {"department", DG_FK_TEXT, DG_VT_TEXT, NULL, DG_FK_FIELD, S, "department"},
    {"major", DG_FK_TEXT, DG_VT_TEXT, NULL, DG_FK_FIELD, S, "major_hist"},
    {"major_code", DG_FK_CODE, DG_VT_CODE, NULL, DG_FK_FIELD, S, "major_code_hist"},
    {"enroll_date", DG_FK_MONTH, DG_VT_DATE, "enrol", DG_FK_FIELD, S, "enroll"},
    {"grad_date", DG_FK_MONTH, DG_VT_DATE, "graduate", DG_FK_FIELD, S, "grad"},
    {"degree", DG_FK_DEGREE, DG_VT_ENUM, NULL, DG_FK_FIELD, S, "degree"},
    {"certificate_no", DG_FK_TEXT, DG_VT_CODE, NULL, DG_FK_FIELD, S, "certificate_no"},
    {"supervisor", DG_FK_NAME, DG_VT_NAME, NULL, DG_FK_FIELD, S, "supervisor"},
    {"university", DG_FK_TEXT, DG_VT_TEXT, NULL, DG_FK_DERIVED, S, "university"},
    {"current_code", DG_FK_TEXT, DG_VT_TEXT, NULL, DG_FK_DERIVED, S, "code_2022"},
    {"current_name", DG_FK_TEXT, DG_VT_TEXT, NULL, DG_FK_DERIVED, S, "name_2022"},
    /* normalized, not archived */
    {"degree_date", DG_FK_DATE, DG_VT_DATE, "degree", DG_FK_NONE, N, NULL},
    {"form_date", DG_FK_DATE, DG_VT_DATE, NULL, DG_FK_NONE, N, NULL},
    {"ethnicity", DG_FK_ETHNIC, DG_VT_ENUM, NULL, DG_FK_NONE, N, NULL},
    {"political_status", DG_FK_POLITICAL, DG_VT_ENUM, NULL, DG_FK_NONE, N, NULL},
    {"duration", DG_FK_DURATION, DG_VT_NUMBER, NULL, DG_FK_NONE, N, NULL},
    {"seq", DG_FK_TEXT, DG_VT_NUMBER, NULL, DG_FK_NONE, N, NULL},
};

const size_t dg_nfield_keys = sizeof dg_field_keys / sizeof *dg_field_keys;

const dg_field_key *dg_field_key_find(const char *key)
{
    for (size_t i = 0; key && i < dg_nfield_keys; i++)
        if (strcmp(key, dg_field_keys[i].key) == 0)
            return &dg_field_keys[i];
    return NULL;
}

int dg_field_key_index(const char *key)
{
    const dg_field_key *k = dg_field_key_find(key);
    int i = k ? (int)(k - dg_field_keys) : -1;
    return i < DG_NARCHIVED ? i : -1;
}

int dg_vtype_find(const char *name)
{
    for (int t = 0; name && t < DG_VT_COUNT; t++)
        if (strcmp(name, dg_vtype_names[t]) == 0)
            return t;
    return -1;
}

const char *dg_field_key_of_date(const char *member)
{
    for (size_t i = 0; member && i < dg_nfield_keys; i++)
        if (dg_field_keys[i].date_member && strcmp(member, dg_field_keys[i].date_member) == 0)
            return dg_field_keys[i].key;
    return NULL;
}
