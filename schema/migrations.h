/* migrations.h - the embedded migration table (internal to schema/). */
#ifndef DANGAN_MIGRATIONS_H
#define DANGAN_MIGRATIONS_H
typedef struct db_migration {
    int version;
    const char *name;
    const char *sql;
} db_migration;
extern const db_migration db_migrations[];
extern const int db_migration_count;
#endif
