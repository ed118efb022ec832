/*
 * lookup_bench.c - how fast `dangan lookup` answers on a realistic archive.
 *
 * Builds a synthetic archive of N persons, each with one study record
 * (default 1,000,000): 2-3 character names drawn from a weighted table of
 * common surnames (some written in traditional form, as on old records) and
 * common given-name characters, birth dates 1930-1975, graduation 24-30
 * years later.  Keys come from norm_name_keys, the function `dangan load`
 * uses; rows go in through prepared INSERTs, 10,000 per transaction, with
 * every index of migrations 004/005 in place, so the load figure includes
 * index maintenance.  Then it times Q lookups (arc_lookup_run, access-log
 * write included) of five kinds: simplified, traditional, pinyin spaced,
 * pinyin unspaced, one-character misread (half from the look-alike table,
 * half an arbitrary character), and reports p50/p95/p99 and how often the
 * intended record was among the results.
 *
 * Recall on request spellings (issue #23) is bench/lookup_recall.c.
 *
 * Each person's other readings of polyphonic characters go into person_reading
 * as `dangan load` writes them (migration 022).
 *
 * --fast builds the archive as a bulk load would (issue #24, 10^7 records):
 * each distinct written name's keys made once, 200,000 rows a transaction,
 * and the indexes of person and study_record dropped first and built after.
 *
 * usage: lookup_bench [--n N] [--queries Q] [--db PATH] [--reuse] [--fast] [--dump FILE]
 * --dump writes each lookup's request, hits (study id:score), "as asked", kind and CPU ms
 * to FILE, one line a lookup (compare two builds with `cut -f1-4`).
 * A measurement, not a test: it is not registered with ctest.  Results and
 * the command line are recorded in docs/lookup.md.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "normalize.h"

/* ---- synthetic names ------------------------------------------------------- */

typedef struct surname {
    const char *simp, *trad; /* trad NULL: same in both scripts */
    int weight;              /* rough share per mille in the population */
} surname;

static const surname surnames[] = {
    {"王", NULL, 72}, {"李", NULL, 72}, {"张", "張", 68}, {"刘", "劉", 53}, {"陈", "陳", 45},
    {"杨", "楊", 31}, {"赵", "趙", 23}, {"黄", "黃", 22}, {"周", NULL, 21}, {"吴", "吳", 20},
    {"徐", NULL, 17}, {"孙", "孫", 15}, {"胡", NULL, 13}, {"朱", NULL, 13}, {"高", NULL, 12},
    {"林", NULL, 12}, {"何", NULL, 12}, {"郭", NULL, 12}, {"马", "馬", 12}, {"罗", "羅", 9},
    {"梁", NULL, 9},  {"宋", NULL, 8},  {"郑", "鄭", 8}, {"谢", "謝", 8}, {"韩", "韓", 7},
    {"唐", NULL, 7},  {"冯", "馮", 7}, {"于", NULL, 7},  {"董", NULL, 7},  {"萧", "蕭", 6},
    {"程", NULL, 6},  {"曹", NULL, 6},  {"袁", NULL, 6},  {"邓", "鄧", 6}, {"许", "許", 6},
    {"傅", NULL, 5},  {"沈", NULL, 5},  {"曾", NULL, 5},  {"彭", NULL, 5},  {"吕", "呂", 5},
    {"苏", "蘇", 5}, {"卢", "盧", 5}, {"蒋", "蔣", 5}, {"蔡", NULL, 5},  {"贾", "賈", 4},
    {"丁", NULL, 4},  {"魏", NULL, 4},  {"薛", NULL, 4},  {"叶", "葉", 4}, {"阎", "閻", 4},
    {"余", NULL, 4},  {"潘", NULL, 4},  {"杜", NULL, 4},  {"戴", NULL, 4},  {"夏", NULL, 4},
    {"钟", "鍾", 4}, {"汪", NULL, 4},  {"田", NULL, 4},  {"任", NULL, 4},  {"姜", NULL, 4},
    {"范", NULL, 3},  {"方", NULL, 3},  {"石", NULL, 3},  {"姚", NULL, 3},  {"谭", "譚", 3},
    {"廖", NULL, 3},  {"邹", "鄒", 3}, {"熊", NULL, 3},  {"金", NULL, 3},  {"陆", "陸", 3},
    {"郝", NULL, 3},  {"孔", NULL, 3},  {"白", NULL, 3},  {"崔", NULL, 3},  {"康", NULL, 3},
    {"毛", NULL, 3},  {"邱", NULL, 3},  {"秦", NULL, 3},  {"江", NULL, 3},  {"史", NULL, 3},
    {"顾", "顧", 2}, {"侯", NULL, 2},  {"邵", NULL, 2},  {"孟", NULL, 2},  {"龙", "龍", 2},
    {"万", "萬", 2}, {"段", NULL, 2},  {"钱", "錢", 2}, {"汤", "湯", 2}, {"尹", NULL, 2},
    {"黎", NULL, 2},  {"易", NULL, 2},  {"常", NULL, 2},  {"武", NULL, 2},  {"乔", "喬", 2},
    {"贺", "賀", 2}, {"赖", "賴", 2}, {"龚", "龔", 2}, {"文", NULL, 2},  {"单", "單", 1},
};
enum { NSURNAMES = sizeof surnames / sizeof surnames[0] };

/* Given-name characters of the period, look-alike pairs (己/已, 未/末,
 * 土/士, 干/千, 天/夭, 王/玉, 日/曰, 田/由) among them on purpose. */
static const char *const given[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "红", "玉", "兰",
    "志", "德", "林", "宏", "春", "海", "云", "峰", "辉", "庆", "生", "新", "荣", "东", "立",
    "成", "福", "忠", "民", "永", "学", "光", "金", "山", "宝", "昌", "远", "小", "卫", "晓",
    "鹏", "飞", "斌", "波", "健", "良", "利", "力", "亮", "义", "正", "振", "中", "长", "家",
    "俊", "嘉", "继", "祥", "凤", "梅", "琴", "淑", "珍", "贞", "莉", "萍", "燕", "爱", "琳",
    "己", "已", "未", "末", "土", "士", "干", "千", "天", "夭", "王", "日", "曰", "田", "由",
    "克", "胜", "雄", "松", "柏", "树", "森", "江", "河", "湘", "川", "岳", "泉", "源", "清",
    "仁", "和", "安", "康", "宁", "泰", "兴", "旺", "发", "达", "富", "贵", "章", "彬", "武",
    "一", "二", "三", "四", "五", "六", "七", "九", "百", "万", "钧", "鑫", "铭", "锋", "钢",
};
enum { NGIVEN = sizeof given / sizeof given[0] };

/* xorshift64*: deterministic across runs, state passed explicitly. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int surname_pick(uint64_t *s)
{
    static const int total = 1000; /* the weights sum to about 1000 */
    int r = (int)(rnd(s) % total), acc = 0;
    for (int i = 0; i < NSURNAMES; i++) {
        acc += surnames[i].weight;
        if (r < acc)
            return i;
    }
    return (int)(rnd(s) % NSURNAMES);
}

typedef struct person_gen {
    int sur;        /* index in surnames */
    int g1, g2;     /* given-name characters; g2 -1 for a 2-character name */
    int trad;       /* written with the traditional surname */
    int birth_y, birth_m;
} person_gen;

static void person_make(uint64_t *s, person_gen *p)
{
    p->sur = surname_pick(s);
    p->g1 = (int)(rnd(s) % NGIVEN);
    p->g2 = rnd(s) % 100 < 55 ? (int)(rnd(s) % NGIVEN) : -1;
    p->trad = surnames[p->sur].trad && rnd(s) % 100 < 30;
    p->birth_y = 1930 + (int)(rnd(s) % 46);
    p->birth_m = 1 + (int)(rnd(s) % 12);
}

/* Person i from its own generator state (splitmix64 of seed and i), so the
 * query side can regenerate any person without replaying the build. */
static void person_at(uint64_t seed, long idx, person_gen *p)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(idx + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    uint64_t s = z ? z : 1;
    person_make(&s, p);
}

static void person_name(const person_gen *p, int trad, char *out, size_t size)
{
    const surname *sn = &surnames[p->sur];
    snprintf(out, size, "%s%s%s", trad && sn->trad ? sn->trad : sn->simp, given[p->g1],
             p->g2 >= 0 ? given[p->g2] : "");
}

/* ---- building the archive ---------------------------------------------------- */

typedef struct bench {
    sqlite3 *db;
    norm_ctx *nc;
    sqlite3_stmt *ins_person, *ins_study, *ins_reading;
    sqlite3_stmt *set_rank; /* --fast: person.first_study/studies, the triggers being dropped */
    int64_t run_id;
    /* --fast: each distinct written name's keys made once (by the name's
     * parts: surname, script, given characters) and the indexes of person
     * and study_record built after the rows, not kept up row by row */
    int fast;
    norm_keys **memo;
} bench;

static size_t memo_slot(const person_gen *p, int trad)
{
    return (((size_t)p->sur * 2 + (size_t)(trad != 0)) * NGIVEN + (size_t)p->g1) *
               (NGIVEN + 1) + (size_t)(p->g2 + 1);
}
enum { MEMO_SLOTS = NSURNAMES * 2 * NGIVEN * (NGIVEN + 1) };

static void memo_free(bench *b)
{
    for (size_t i = 0; b->memo && i < MEMO_SLOTS; i++)
        if (b->memo[i]) {
            norm_keys_release(b->memo[i]);
            free(b->memo[i]);
        }
    free(b->memo);
    b->memo = NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of this thread: on shared cores a wall latency is mostly
 * waiting for a core, the CPU a lookup costs is what the archive decides. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int insert_one(bench *b, const person_gen *p, double *key_s)
{
    char written[64], birth[16], grad[16];
    person_name(p, p->trad, written, sizeof written);
    snprintf(birth, sizeof birth, "%04d-%02d", p->birth_y, p->birth_m);
    snprintf(grad, sizeof grad, "%04d-07", p->birth_y + 24 + p->g1 % 7);
    double t0 = now_s();
    norm_keys k, *kp = &k;
    if (b->memo) {
        norm_keys **slot = &b->memo[memo_slot(p, p->trad)];
        if (!*slot && (!(*slot = calloc(1, sizeof **slot)) ||
                       norm_name_keys(b->nc, written, *slot, NULL)))
            return -1;
        kp = *slot;
    } else if (norm_name_keys(b->nc, written, &k, NULL)) {
        return -1;
    }
    *key_s += now_s() - t0;
    sqlite3_stmt *st = b->ins_person;
    sqlite3_bind_text(st, 1, written, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kp->simplified, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kp->pinyin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kp->lookalike, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, birth, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, p->g1 % 3 ? "男" : "女", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(st);
    int64_t person = sqlite3_last_insert_rowid(b->db);
    /* the other readings of polyphonic characters (长 chang/zhang, 曾 zeng/ceng),
     * as `dangan load` writes them (migration 022) */
    for (size_t i = 0; i < kp->nalt && !rc; i++) {
        st = b->ins_reading;
        sqlite3_bind_int64(st, 1, person);
        sqlite3_bind_text(st, 2, kp->alt[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
    }
    if (kp == &k)
        norm_keys_release(&k);
    st = b->ins_study;
    sqlite3_bind_int64(st, 1, person);
    sqlite3_bind_text(st, 2, grad, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, b->run_id);
    rc |= sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(st);
    if (b->set_rank) { /* one study record a person: what the dropped trigger sets */
        st = b->set_rank;
        sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(b->db));
        sqlite3_bind_int64(st, 2, person);
        rc |= sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
    }
    return rc;
}

static int build(bench *b, long n, uint64_t seed)
{
    if (db_prepare(b->db, "INSERT INTO person(name_written, name_simplified, pinyin, "
                          "lookalike_key, birth, sex) VALUES (?, ?, ?, ?, ?, ?)",
                   &b->ins_person, NULL) ||
        db_prepare(b->db, "INSERT INTO study_record(person_id, university, department, "
                          "major_hist, code_2022, name_2022, grad, degree, load_run, loaded) "
                          "VALUES (?, '北京大学', '物理系', '理论物理', '0702', '物理学', ?, "
                          "'master', ?, '2024-01-01T00:00:00Z')",
                   &b->ins_study, NULL) ||
        db_prepare(b->db, "INSERT INTO person_reading(person_id, pinyin) VALUES (?, ?)",
                   &b->ins_reading, NULL) ||
        (b->fast && db_prepare(b->db, "UPDATE person SET first_study = ?1, studies = 1 "
                                      "WHERE id = ?2", &b->set_rank, NULL)) ||
        db_run_begin(b->db, "load", "{\"bench\":true}", &b->run_id, NULL))
        return -1;
    double t0 = now_s(), key_s = 0;
    int rc = 0;
    char **index_sql = NULL;
    int nindex = 0, batch = b->fast ? 200000 : 10000;
    if (b->fast) {
        sqlite3_stmt *q = NULL;
        rc = (b->memo = calloc(MEMO_SLOTS, sizeof *b->memo)) ? 0 : -1;
        /* the triggers too (migration 025's person.first_study): without
         * study_person each would scan study_record; set_rank does their
         * work while the rows go in.  Indexes first, triggers last. */
        rc = rc ? rc : db_prepare(b->db, "SELECT sql FROM sqlite_schema WHERE type IN ('index', "
                                         "'trigger') AND tbl_name IN ('person', 'study_record') "
                                         "AND sql IS NOT NULL ORDER BY type = 'trigger'", &q, NULL);
        while (!rc && sqlite3_step(q) == SQLITE_ROW) {
            char **grown = realloc(index_sql, (size_t)(nindex + 1) * sizeof *grown);
            if (!grown || !(grown[nindex] = dg_strdup((const char *)sqlite3_column_text(q, 0)))) {
                free(grown ? grown : index_sql);
                index_sql = NULL;
                rc = -1;
                break;
            }
            index_sql = grown;
            nindex++;
        }
        sqlite3_finalize(q);
        /* dropped after the listing: a schema change waits for no reader */
        for (int i = 0; !rc && i < nindex; i++) {
            char drop[300];
            int trig = strncmp(index_sql[i], "CREATE TRIGGER ", 15) == 0;
            const char *name = index_sql[i] + (trig ? 15 : 13), *end = strchr(name, ' ');
            snprintf(drop, sizeof drop, "DROP %s %.*s", trig ? "TRIGGER" : "INDEX",
                     (int)(end - name), name);
            rc = db_exec(b->db, drop, NULL);
        }
    }
    for (long i = 0; i < n && !rc; i++) {
        if (i % batch == 0)
            rc = db_begin(b->db, NULL);
        person_gen p;
        person_at(seed, i, &p);
        rc = rc ? rc : insert_one(b, &p, &key_s);
        if (!rc && (i % batch == batch - 1 || i == n - 1))
            rc = db_commit(b->db, NULL);
        if (i % 1000000 == 999999)
            fprintf(stderr, "  %ld rows, %.0f s\n", i + 1, now_s() - t0);
    }
    double t_rows = now_s() - t0;
    for (int i = 0; i < nindex; i++) {
        if (!rc)
            rc = db_exec(b->db, index_sql[i], NULL);
        free(index_sql[i]);
    }
    free(index_sql);
    memo_free(b);
    double total = now_s() - t0;
    printf("load%s: %ld persons + study records in %.1f s: %.0f records/s "
           "(keys %.1f s = %.1f us/name; SQLite inserts %s%.1f s; %d indexes after: %.1f s)\n",
           b->fast ? " --fast" : "", n, total, n / total, key_s, key_s * 1e6 / n,
           b->fast ? "" : "+ indexes ", t_rows - key_s, nindex, total - t_rows);
    sqlite3_finalize(b->ins_person);
    sqlite3_finalize(b->ins_study);
    sqlite3_finalize(b->ins_reading);
    sqlite3_finalize(b->set_rank);
    return rc;
}

/* ---- queries --------------------------------------------------------------------- */

enum { K_SIMP, K_TRAD, K_PY_SPACED, K_PY, K_MISREAD, NKINDS };
static const char *const kind_names[NKINDS] = {"simplified", "traditional", "pinyin spaced",
                                                "pinyin unspaced", "one-char misread"};

/* Look-alike partners inside `given`, by index: 己/已, 未/末, 土/士 ... */
static int lookalike_partner(int g)
{
    static const char *const pairs[][2] = {{"己", "已"}, {"未", "末"}, {"土", "士"},
                                           {"干", "千"}, {"天", "夭"}, {"王", "玉"},
                                           {"日", "曰"}, {"田", "由"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        for (int side = 0; side < 2; side++)
            if (strcmp(given[g], pairs[i][side]) == 0)
                for (int j = 0; j < NGIVEN; j++)
                    if (strcmp(given[j], pairs[i][!side]) == 0)
                        return j;
    return -1;
}

/* A misread of p's name: a look-alike swap when the name has such a
 * character and the coin says so, else an arbitrary other character. */
static void misread(uint64_t *s, person_gen *p)
{
    int *slot = p->g2 >= 0 && rnd(s) % 2 ? &p->g2 : &p->g1;
    int partner = lookalike_partner(*slot);
    if (partner >= 0 && rnd(s) % 2) {
        *slot = partner;
        return;
    }
    int other;
    do
        other = (int)(rnd(s) % NGIVEN);
    while (other == *slot);
    *slot = other;
}

typedef struct query_case {
    int kind;
    char text[96];
    char born[16];
    int64_t want; /* the study record the query was made from */
} query_case;


static int make_query(bench *b, uint64_t seed, long n, uint64_t *qs, int kind, query_case *qc)
{
    person_gen p;
    long idx;
    do {
        idx = (long)(rnd(qs) % (uint64_t)n);
        person_at(seed, idx, &p);
    } while (kind == K_TRAD && !surnames[p.sur].trad);
    qc->kind = kind;
    qc->want = idx + 1;
    qc->born[0] = '\0';
    if (rnd(qs) % 4 == 0) /* a quarter of requests also give the birth month */
        snprintf(qc->born, sizeof qc->born, "%04d-%02d", p.birth_y, p.birth_m);
    char name[64];
    person_name(&p, kind == K_TRAD, name, sizeof name);
    if (kind == K_MISREAD) {
        misread(qs, &p);
        person_name(&p, 0, name, sizeof name);
    }
    if (kind != K_PY && kind != K_PY_SPACED) {
        snprintf(qc->text, sizeof qc->text, "%s", name);
        return 0;
    }
    norm_keys k;
    if (norm_name_keys(b->nc, name, &k, NULL))
        return -1;
    snprintf(qc->text, sizeof qc->text, "%s", kind == K_PY ? k.pinyin : k.pinyin_spaced);
    norm_keys_release(&k);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    if (!n)
        return 0;
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

typedef struct kind_stats {
    double *ms, *cpu; /* wall and CPU milliseconds of each lookup */
    int n, found, first, results;
    int n_born, found_born; /* queries that also gave the birth month */
} kind_stats;

static void report(kind_stats *ks, int nq)
{
    printf("\n| kind | queries | p50 ms | p95 ms | p99 ms | max ms | found | ranked 1st | "
           "mean results | found with --born |\n|---|---|---|---|---|---|---|---|---|---|\n");
    double *all = malloc(sizeof *all * (size_t)(nq ? nq : 1));
    int na = 0, found = 0, first = 0;
    for (int k = 0; k < NKINDS; k++) {
        kind_stats *s = &ks[k];
        qsort(s->ms, (size_t)s->n, sizeof *s->ms, cmp_double);
        printf("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.1f%% | %.1f%% | %.1f | %.1f%% (%d) |\n",
               kind_names[k], s->n, pct(s->ms, s->n, .5), pct(s->ms, s->n, .95),
               pct(s->ms, s->n, .99), s->n ? s->ms[s->n - 1] : 0, 100.0 * s->found / s->n,
               100.0 * s->first / s->n, (double)s->results / s->n,
               s->n_born ? 100.0 * s->found_born / s->n_born : 0, s->n_born);
        for (int i = 0; i < s->n; i++)
            all[na++] = s->ms[i];
        found += s->found;
        first += s->first;
    }
    qsort(all, (size_t)na, sizeof *all, cmp_double);
    printf("| **all** | %d | %.2f | %.2f | %.2f | %.2f | %.1f%% | %.1f%% | | |\n", na,
           pct(all, na, .5), pct(all, na, .95), pct(all, na, .99), na ? all[na - 1] : 0,
           100.0 * found / na, 100.0 * first / na);
    /* the same percentiles of CPU time (the thread's), all kinds */
    na = 0;
    for (int k = 0; k < NKINDS; k++)
        for (int i = 0; i < ks[k].n; i++)
            all[na++] = ks[k].cpu[i];
    qsort(all, (size_t)na, sizeof *all, cmp_double);
    printf("\ncpu ms a lookup: p50 %.2f p95 %.2f p99 %.2f max %.2f\n", pct(all, na, .5),
           pct(all, na, .95), pct(all, na, .99), na ? all[na - 1] : 0);
    printf("cpu ms p95 by kind:");
    for (int k = 0; k < NKINDS; k++) {
        qsort(ks[k].cpu, (size_t)ks[k].n, sizeof *ks[k].cpu, cmp_double);
        printf(" %s %.2f;", kind_names[k], pct(ks[k].cpu, ks[k].n, .95));
    }
    printf("\n");
    free(all);
}

/* One line a lookup: the request, then the hits shown (study id:score)
 * and the "as asked" posterior, so two builds' answers can be compared
 * (`--dump FILE`, then diff). */
static void dump_result(FILE *f, const query_case *qc, const arc_lookup_result *r, double cms)
{
    fprintf(f, "%s\t%s\t", qc->text, qc->born);
    for (size_t j = 0; j < r->n; j++)
        fprintf(f, "%s%lld:%d", j ? "," : "", (long long)r->hits[j].record, r->hits[j].score);
    fprintf(f, "\t%.6f\t%s\t%.3f\n", r->as_asked, kind_names[qc->kind], cms);
}

static int run_queries(bench *b, uint64_t seed, long n, int nq, FILE *dump)
{
    arc_lookup *lk;
    dg_err err = {0};
    if (arc_lookup_new(b->db, NULL, &lk, &err)) {
        fprintf(stderr, "lookup_bench: %s\n", err.msg);
        return -1;
    }
    kind_stats ks[NKINDS] = {{0}};
    for (int k = 0; k < NKINDS; k++)
        ks[k].ms = calloc((size_t)nq, sizeof(double)), ks[k].cpu = calloc((size_t)nq, sizeof(double));
    uint64_t qs = seed ^ 0x9e3779b97f4a7c15ULL;
    int rc = 0;
    for (int i = 0; i < nq && !rc; i++) {
        query_case qc;
        rc = make_query(b, seed, n, &qs, i % NKINDS, &qc);
        arc_lookup_query q = {.name = qc.text, .born = qc.born[0] ? qc.born : NULL,
                              .who = "bench"};
        arc_lookup_result r;
        double t0 = now_s(), c0 = cpu_s();
        rc = rc ? rc : arc_lookup_run(lk, &q, &r, &err);
        double ms = (now_s() - t0) * 1e3, cms = (cpu_s() - c0) * 1e3;
        if (rc) {
            fprintf(stderr, "lookup_bench: query '%s': %s\n", qc.text, err.msg);
            break;
        }
        if (dump)
            dump_result(dump, &qc, &r, cms);
        kind_stats *s = &ks[qc.kind];
        s->cpu[s->n] = cms;
        s->ms[s->n++] = ms;
        s->results += (int)r.n;
        s->n_born += qc.born[0] != 0;
        for (size_t j = 0; j < r.n; j++)
            if (r.hits[j].record == qc.want) {
                s->found++;
                s->found_born += qc.born[0] != 0;
                s->first += r.hits[j].score == r.hits[0].score;
                break;
            }
        arc_lookup_result_release(&r);
    }
    if (!rc)
        report(ks, nq);
    for (int k = 0; k < NKINDS; k++)
        free(ks[k].ms), free(ks[k].cpu);
    arc_lookup_free(&lk);
    return rc;
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int nq = 1000, reuse = 0, fast = 0;
    const char *path = "/tmp/dangan_lookup_bench.db", *dump_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            n = atol(argv[++i]);
        else if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc)
            nq = atoi(argv[++i]);
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--reuse") == 0)
            reuse = 1;
        else if (strcmp(argv[i], "--fast") == 0)
            fast = 1;
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            dump_path = argv[++i];
        else {
            fprintf(stderr, "usage: lookup_bench [--n N] [--queries Q] [--db PATH] [--reuse] "
                            "[--fast] [--dump FILE]\n");
            return 2;
        }
    }
    const uint64_t seed = 0x5eed2024ULL;
    if (!reuse) {
        unlink(path);
        char wal[1100];
        snprintf(wal, sizeof wal, "%s-wal", path);
        unlink(wal);
    }
    bench b = {.fast = fast};
    dg_err err = {0};
    if (db_open(path, DB_OPEN_CREATE, &b.db, &err) ||
        norm_ctx_new(arc_config_dir(), &b.nc, &err)) {
        fprintf(stderr, "lookup_bench: %s\n", err.msg);
        return 1;
    }
    int rc = reuse ? 0 : build(&b, n, seed);
    FILE *dump = NULL;
    if (!rc && dump_path && !(dump = fopen(dump_path, "w"))) {
        fprintf(stderr, "lookup_bench: cannot write %s\n", dump_path);
        rc = -1;
    }
    rc = rc ? rc : run_queries(&b, seed, n, nq, dump);
    if (dump && fclose(dump))
        rc = -1;
    norm_ctx_free(&b.nc);
    db_close(&b.db);
    return rc ? 1 : 0;
}
