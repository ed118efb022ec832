/* review_fixture.h - builds the review/load test workspace (see review_fixture.c). */
#ifndef DANGAN_TEST_REVIEW_FIXTURE_H
#define DANGAN_TEST_REVIEW_FIXTURE_H

/* Create db_path (replacing it) with scans written under dir. 0 = ok. */
int fixture_build(const char *db_path, const char *dir);

#endif
