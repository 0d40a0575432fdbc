/* `rathaus import`: brings scanned files into a case (Vorgang) as documents,
 * with TR-RESISCAN capture metadata per version and their text extracted and
 * indexed, so everything imported is searchable when the command ends.
 *
 * A pipeline keeps every core busy: worker threads hash, check and extract
 * files (OCR is the slow part), while the main thread stores the finished
 * ones in the order given, so documents appear in scan order. At most a few
 * files per worker wait ahead of the store, which bounds memory.
 *
 * The store works in batches: up to IMPORT_BATCH_FILES files (or what
 * IMPORT_BATCH_MS brings) go into one write transaction, each file in a
 * savepoint of its own, so a file that fails takes only itself back. Their
 * blobs wait in temp files and reach the disk together just before the
 * commit (store/blob.h), which saves several waits for the disk per file. A
 * file is reported as imported only when its batch has committed, so what
 * the command acknowledged survives a crash. A file that was imported into
 * the case before (same content, same name) is skipped, so an interrupted
 * import is simply started again; a document is never left half stored. A
 * file that fails is named with its reason and the others go on; the exit
 * status says whether all succeeded. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/rtime.h"
#include "cli.h"
#include "records/records.h"
#include "store/blob.h"
#include "web/web.h"

/* Files one import takes at most. */
#define IMPORT_MAX_FILES 200000
/* Folder depth followed at most. */
#define IMPORT_MAX_DEPTH 32
/* Files a worker may finish ahead of the store (memory: their texts). */
#define IMPORT_AHEAD_PER_THREAD 4
/* Age in seconds past which a temp file of the blob store is a crash's leftover. */
#define IMPORT_TMP_AGE_S 3600
/* Width of the progress bar in characters. */
#define IMPORT_BAR 24
/* Files stored in one transaction at most. */
#define IMPORT_BATCH_FILES 100
/* Milliseconds a batch stays open at most: the server waits this long for
 * the write lock, and an acknowledgement at most this long for its commit. */
#define IMPORT_BATCH_MS 500

/* States of an item. */
enum item_state { ITEM_WAITING, ITEM_TAKEN, ITEM_READY };

/* One file to import. */
struct item {
    char *path;                     /* as found (owned) */
    enum item_state state;          /* guarded by import.lock */
    int rc;                         /* 0, or the error that why explains */
    bool known;                     /* imported before: skipped */
    bool stored;                    /* stored in the open batch, not yet committed */
    char sha[BLOB_HEX];             /* SHA-256 when read */
    char mime[100];                 /* type from the bytes */
    int64_t mtime;                  /* file time: when it was scanned */
    struct str text;                /* extracted text */
    struct str why;                 /* German reason of a failure */
    struct rec_extract_stats stats; /* what the extraction did */
};

/* The shared state of one import. */
struct import {
    struct store *store;    /* borrowed */
    const char *case_ref;   /* target Vorgang */
    struct item *items;     /* files in import order */
    size_t n;               /* files */
    size_t next;            /* next item to take (guarded by lock) */
    size_t handled;         /* items the main thread has taken over (guarded) */
    size_t ahead;           /* how far workers may run ahead of handled */
    pthread_mutex_t lock;   /* guards the fields above and item states */
    pthread_cond_t changed; /* an item became ready, or handled moved (monotonic clock) */
};

static atomic_bool interrupted;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&interrupted, true);
}

static void help(void)
{
    printf("Aufruf: rathaus import --data DIR --into VORGANG [--scanner NAME]\n"
           "                      [--operator ANMELDENAME] [--threads N] PFAD…\n\n"
           "Übernimmt Dateien und Ordner (rekursiv) als Eingangsdokumente in den Vorgang\n"
           "VORGANG (z. B. 32.10-2026-0007/1): je Datei ein Dokument mit dem Dateinamen\n"
           "als Titel. Texte werden ausgelesen (PDF, Texterkennung für Scans und Bilder)\n"
           "und sind nach dem Ende durchsuchbar. Angenommen werden PDF, PNG, JPEG, TIFF\n"
           "und Textdateien.\n\n"
           "Zu jeder Version werden Erfassungsdaten nach BSI TR-RESISCAN gespeichert:\n"
           "Scanzeit (Dateizeit), Gerät (--scanner), Bearbeiter (--operator, sonst das\n"
           "Betriebssystemkonto), Prüfsumme beim Einlesen, Qualitätskontrolle (noch nicht).\n\n"
           "Gespeichert wird in Stapeln (bis zu 100 Dateien oder eine halbe Sekunde);\n"
           "eine Datei wird als übernommen gemeldet, sobald ihr Stapel gespeichert ist,\n"
           "und bleibt es auch nach einem Absturz. Bereits übernommene Dateien (gleicher\n"
           "Inhalt und Name) werden übersprungen; ein abgebrochener Import wird einfach\n"
           "erneut gestartet. Eine fehlerhafte Datei wird mit Grund genannt, die übrigen\n"
           "werden trotzdem übernommen. Exit-Status 0 nur, wenn alle Dateien übernommen\n"
           "wurden oder schon vorhanden waren.\n");
}

/* ---- collecting files --------------------------------------------------- */

/* A growable list of paths. */
struct list {
    char **v;     /* paths (owned) */
    size_t n;     /* used */
    size_t alloc; /* allocated */
};

static int list_add(struct list *l, const char *path)
{
    if (l->n >= IMPORT_MAX_FILES)
        return ERR_TOOBIG;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 64;
        char **v = realloc(l->v, na * sizeof *v);
        if (!v)
            return ERR_NOMEM;
        l->v = v;
        l->alloc = na;
    }
    char *p = strdup(path);
    if (!p)
        return ERR_NOMEM;
    l->v[l->n++] = p;
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the files under dir in name order; hidden entries and symbolic
 * links to folders are skipped. Problems are printed; *failed counts them. */
static int walk(struct list *l, const char *dir, int depth, int *failed)
{
    if (depth > IMPORT_MAX_DEPTH) {
        fprintf(stderr, "%s: Ordner zu tief verschachtelt (mehr als %d Ebenen)\n", dir,
                IMPORT_MAX_DEPTH);
        ++*failed;
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: Ordner nicht lesbar (%s)\n", dir, strerror(errno));
        ++*failed;
        return 0;
    }
    struct list names = {0};
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d)))
        if (e->d_name[0] != '.')
            rc = list_add(&names, e->d_name);
    closedir(d);
    if (names.n)
        qsort(names.v, names.n, sizeof *names.v, cmp_name);
    for (size_t i = 0; !rc && i < names.n; i++) {
        struct str p;
        str_init(&p, 4096);
        str_addf(&p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names.v[i]);
        struct stat st;
        if (p.err) {
            fprintf(stderr, "%s/%s: Pfad zu lang\n", dir, names.v[i]);
            ++*failed;
        } else if (lstat(p.buf, &st) != 0) {
            fprintf(stderr, "%s: nicht lesbar (%s)\n", p.buf, strerror(errno));
            ++*failed;
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(l, p.buf, depth + 1, failed);
        } else if (S_ISLNK(st.st_mode)) {
            if (stat(p.buf, &st) == 0 && S_ISREG(st.st_mode))
                rc = list_add(l, p.buf);
        } else {
            rc = list_add(l, p.buf); /* odd types are refused when processed */
        }
        str_release(&p);
    }
    for (size_t i = 0; i < names.n; i++)
        free(names.v[i]);
    free(names.v);
    return rc;
}

/* ---- one file (worker threads) ----------------------------------------- */

/* The title of a document from a path: file name without its extension. */
static void title_of(const char *path, char *out, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len > REC_MAX_TITLE)
        len = REC_MAX_TITLE;
    if (len >= n)
        len = n - 1;
    /* never cut a UTF-8 sequence in half */
    while (len > 0 && ((unsigned char)base[len] & 0xc0) == 0x80)
        len--;
    memcpy(out, base, len);
    out[len] = '\0';
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* Hashes, checks and extracts one file; the result goes into it. */
static void prepare(struct import *im, struct rec_extractor *x, struct item *it)
{
    struct stat st;
    if (stat(it->path, &st) != 0) {
        str_addf(&it->why, "nicht lesbar (%s)", strerror(errno));
        it->rc = ERR_IO;
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        str_adds(&it->why, "keine gewöhnliche Datei");
        it->rc = ERR_INVALID;
        return;
    }
    if (st.st_size == 0) {
        str_adds(&it->why, "die Datei ist leer");
        it->rc = ERR_INVALID;
        return;
    }
    it->mtime = (int64_t)st.st_mtime;
    int rc = blob_hash_file(it->path, it->sha, NULL);
    if (rc) {
        str_addf(&it->why, "nicht lesbar (%s)", err_message(rc));
        it->rc = rc;
        return;
    }
    char title[REC_MAX_TITLE + 1];
    title_of(it->path, title, sizeof title);
    int64_t doc;
    rc = rec_import_known(im->store, im->case_ref, it->sha, base_name(it->path), title, &doc);
    if (rc == 0) {
        it->known = true;
        return;
    }
    if (rc != ERR_NOTFOUND) {
        str_addf(&it->why, "Datenbank: %s", err_message(rc));
        it->rc = rc;
        return;
    }
    if ((rc = rec_extract_sniff(x, it->path, it->mime))) {
        str_adds(&it->why, "Dateityp nicht bestimmbar");
        it->rc = rc;
        return;
    }
    if (!rec_extract_supported(it->mime)) {
        str_addf(&it->why, "Dateityp %s wird nicht übernommen (PDF, PNG, JPEG, TIFF oder Text)",
                 it->mime);
        it->rc = ERR_MEDIATYPE;
        return;
    }
    rc = rec_extract_file(x, it->path, it->mime, &it->text, &it->stats, &it->why);
    if (rc) {
        if (!it->why.len)
            str_adds(&it->why, err_message(rc));
        it->rc = rc;
    }
}

static void *worker(void *arg)
{
    struct import *im = arg;
    struct rec_extractor *x = NULL;
    int xrc = rec_extractor_new(&x);
    for (;;) {
        pthread_mutex_lock(&im->lock);
        while (!atomic_load(&interrupted) && im->next < im->n &&
               im->next >= im->handled + im->ahead)
            pthread_cond_wait(&im->changed, &im->lock);
        if (atomic_load(&interrupted) || im->next >= im->n) {
            pthread_mutex_unlock(&im->lock);
            break;
        }
        struct item *it = &im->items[im->next++];
        it->state = ITEM_TAKEN;
        pthread_mutex_unlock(&im->lock);
        if (xrc) {
            str_adds(&it->why, err_message(xrc));
            it->rc = xrc;
        } else {
            prepare(im, x, it);
        }
        pthread_mutex_lock(&im->lock);
        it->state = ITEM_READY;
        pthread_cond_broadcast(&im->changed);
        pthread_mutex_unlock(&im->lock);
    }
    rec_extractor_free(x);
    return NULL;
}

/* ---- storing (main thread) ---------------------------------------------- */

/* The capture metadata of BSI TR-RESISCAN for one file, as JSON text. */
static char *capture_json(const struct item *it, const char *scanner, const char *operator)
{
    char at[32];
    rtime_iso_utc(it->mtime, at, sizeof at);
    char *abs = realpath(it->path, NULL);
    json_t *j = json_pack("{s:s, s:s?, s:s, s:s, s:b, s:s}", "scanned_at", at, "device", scanner,
                          "operator", operator, "sha256_at_capture", it->sha, "quality_checked", 0,
                          "source_path", abs ? abs : it->path);
    free(abs);
    char *z = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return z;
}

/* The write transaction that stores a batch of files. */
struct batch {
    struct store_conn *c;     /* its connection, or NULL while none is open */
    struct blob_batch *blobs; /* the contents, on disk for sure at the commit */
    int64_t opened_us;        /* when it began (monotonic µs) */
    size_t files;             /* files stored in it */
};

static int batch_open(struct store *s, struct batch *b)
{
    int rc = store_get(s, &b->c);
    if (rc) {
        b->c = NULL;
        return rc;
    }
    if ((rc = store_begin(b->c, true))) {
        store_put(s, b->c);
        b->c = NULL;
        return rc;
    }
    b->opened_us = rtime_mono_us();
    b->files = 0;
    return 0;
}

/* Brings the batch's contents to disk, then commits it: the rows that
 * reference a blob never become durable before the blob. */
static int batch_commit(struct store *s, struct batch *b)
{
    if (!b->c)
        return 0;
    int rc = blob_batch_sync(b->blobs);
    if (!rc)
        rc = store_commit(b->c);
    store_put(s, b->c); /* rolls back when the commit did not happen */
    b->c = NULL;
    b->files = 0;
    return rc;
}

/* Stores a prepared file in the open batch as a document with one version
 * and its text, inside a savepoint of its own. Returns 0 (it->known when an
 * equal file came earlier in this run) or an error explained in it->why;
 * then nothing of the file stays in the batch. */
static int store_item(struct import *im, const struct rec_actor *a, struct batch *b,
                      struct item *it, const char *scanner, const char *operator,
                      bool * ret_text_pending)
{
    char title[REC_MAX_TITLE + 1];
    title_of(it->path, title, sizeof title);
    /* the workers looked at committed data only: the same file may have been
     * stored earlier in this run (given twice, or in the open batch) */
    int64_t doc_id, version_id;
    int rc =
        rec_import_known(im->store, im->case_ref, it->sha, base_name(it->path), title, &doc_id);
    if (rc == 0) {
        it->known = true;
        return 0;
    }
    if (rc != ERR_NOTFOUND) {
        str_addf(&it->why, "Datenbank: %s", err_message(rc));
        return rc;
    }
    size_t mark = blob_batch_mark(b->blobs);
    if ((rc = store_begin(b->c, true))) {
        str_addf(&it->why, "Datenbank: %s", err_message(rc));
        return rc;
    }
    struct rec_doc_new d = {.title = title, .direction = "in"};
    rc = rec_doc_create(im->store, a, im->case_ref, &d, &doc_id);
    if (rc) {
        if (rc == ERR_INVALID)
            str_addf(&it->why, "der Dateiname taugt nicht als Titel (leer oder Steuerzeichen)");
        else if (rc == ERR_EXISTS)
            str_addf(&it->why, "der Vorgang %s ist geschlossen", im->case_ref);
        else
            str_addf(&it->why, "Dokument nicht angelegt: %s", err_message(rc));
        goto fail;
    }
    char *capture = capture_json(it, scanner, operator);
    if (!capture) {
        rc = ERR_NOMEM;
        str_adds(&it->why, err_message(rc));
        goto fail;
    }
    struct rec_content content = {
        .path = it->path,
        .filename = base_name(it->path),
        .capture = capture,
        .batch = b->blobs,
    };
    rc = rec_version_add(im->store, a, doc_id, &content, &version_id, NULL);
    free(capture);
    if (rc) {
        if (rc == ERR_MEDIATYPE)
            str_adds(&it->why, "Dateityp nicht erlaubt (ausführbare Dateien und Skripte werden "
                               "abgelehnt)");
        else
            str_addf(&it->why, "Inhalt nicht gespeichert: %s", err_message(rc));
        goto fail;
    }
    /* the text was extracted from the file before storing; its job is done */
    if (rec_extract_save(im->store, version_id, it->text.buf, it->text.len, &it->stats) != 0)
        *ret_text_pending = true;    /* the drain at the end extracts it again */
    if ((rc = store_commit(b->c))) { /* releases the savepoint, or rolls it back */
        blob_batch_undo(b->blobs, mark);
        str_addf(&it->why, "Datenbank: %s", err_message(rc));
    }
    return rc;
fail:
    store_rollback(b->c); /* the savepoint only: the batch goes on */
    blob_batch_undo(b->blobs, mark);
    return rc;
}

/* ---- progress ------------------------------------------------------------ */

/* Progress output: a bar redrawn on a terminal, plain lines otherwise. */
struct progress {
    bool tty;     /* stderr is a terminal */
    size_t total; /* files */
    int64_t t0;   /* start, monotonic µs */
    bool drawn;   /* a bar is on the current line */
};

/* Writes "1:05" or "1:02:03" for seconds s. */
static void fmt_duration(double s, char *out, size_t n)
{
    long t = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

/* Writes x with one decimal and a German decimal comma. */
static void fmt_decimal(double x, char *out, size_t n)
{
    snprintf(out, n, "%.1f", x);
    char *dot = strchr(out, '.');
    if (dot)
        *dot = ',';
}

static void progress_clear(struct progress *p)
{
    if (p->tty && p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = false;
}

static void progress_show(struct progress *p, size_t done, const char *path, const char *what)
{
    double secs = (double)(rtime_mono_us() - p->t0) / 1e6;
    double rate = secs > 0 ? (double)done / secs : 0;
    char r[32], eta[32];
    fmt_decimal(rate, r, sizeof r);
    fmt_duration(rate > 0 ? (double)(p->total - done) / rate : 0, eta, sizeof eta);
    if (!p->tty) {
        fprintf(stderr, "%zu/%zu %s: %s (%s Dateien/s, noch %s)\n", done, p->total, path, what, r,
                eta);
        return;
    }
    char bar[IMPORT_BAR + 1];
    size_t fill = p->total ? done * IMPORT_BAR / p->total : IMPORT_BAR;
    for (size_t i = 0; i < IMPORT_BAR; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[IMPORT_BAR] = '\0';
    const char *name = base_name(path);
    fprintf(stderr, "\r\033[K[%s] %zu/%zu  %s Dateien/s  noch %s  %.30s", bar, done, p->total, r,
            eta, name);
    p->drawn = true;
}

/* What the main thread has reported so far. */
struct tally {
    struct progress pr; /* the progress output */
    size_t reported;    /* items reported (a prefix of the items) */
    size_t imported;    /* files stored and committed */
    size_t known;       /* files skipped as imported before */
    int failed;         /* files and paths that failed */
};

/* Commits the open batch (if any), then reports the items handled up to
 * upto in their order: a file counts as imported only now. When the commit
 * fails, the files of the batch fail with it. */
static void batch_finish(struct import *im, struct batch *b, struct tally *t, size_t upto)
{
    int rc = batch_commit(im->store, b);
    for (; t->reported < upto; t->reported++) {
        struct item *it = &im->items[t->reported];
        if (it->stored && rc) {
            it->rc = rc;
            str_reset(&it->why);
            str_addf(&it->why, "nicht gespeichert (%s); ein erneuter Aufruf übernimmt die Datei",
                     err_message(rc));
        }
        it->stored = false;
        const char *what = "übernommen";
        if (it->rc) {
            progress_clear(&t->pr);
            fprintf(stderr, "%s: %s\n", it->path, it->why.buf);
            t->failed++;
            what = "fehlgeschlagen";
        } else if (it->known) {
            t->known++;
            what = "bereits vorhanden, übersprungen";
        } else {
            t->imported++;
        }
        progress_show(&t->pr, t->reported + 1, it->path, what);
    }
}

/* Results of wait_item. */
enum wait_result { WAIT_READY, WAIT_STOPPED, WAIT_TIMEOUT };

/* Waits until a worker has finished it, or until until_us (monotonic µs; 0:
 * no limit); WAIT_STOPPED after an interruption when it was never started. */
static enum wait_result wait_item(struct import *im, const struct item *it, int64_t until_us)
{
    enum wait_result w = WAIT_READY;
    pthread_mutex_lock(&im->lock);
    while (it->state != ITEM_READY) {
        if (atomic_load(&interrupted) && it->state == ITEM_WAITING) {
            w = WAIT_STOPPED;
            break;
        }
        if (!until_us) {
            pthread_cond_wait(&im->changed, &im->lock);
            continue;
        }
        int64_t left = until_us - rtime_mono_us();
        if (left <= 0) {
            w = WAIT_TIMEOUT;
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t ns = (int64_t)ts.tv_nsec + left % 1000000 * 1000;
        ts.tv_sec += (time_t)(left / 1000000 + ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&im->changed, &im->lock, &ts);
    }
    pthread_mutex_unlock(&im->lock);
    return w;
}

/* ---- the command --------------------------------------------------------- */

/* Checks that login names an active account. Returns 0 or 1 after a message. */
static int check_operator(struct store *s, const char *login)
{
    json_t *users;
    int rc = web_user_list(s, &users);
    if (rc)
        return cli_fail("import", "Konten nicht lesbar: %s", err_message(rc));
    bool found = false, disabled = false;
    size_t i;
    json_t *u;
    json_array_foreach(users, i, u)
    {
        const char *l = json_string_value(json_object_get(u, "login"));
        if (l && strcmp(l, login) == 0) {
            found = true;
            disabled = json_is_true(json_object_get(u, "disabled"));
        }
    }
    json_decref(users);
    if (!found)
        return cli_fail("import", "--operator: ein Konto „%s“ gibt es nicht", login);
    if (disabled)
        return cli_fail("import", "--operator: das Konto „%s“ ist gesperrt", login);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"into", required_argument, NULL, 'i'},
        {"scanner", required_argument, NULL, 's'},
        {"operator", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL, *into = NULL, *scanner = NULL, *operator= NULL;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long threads = cpus > 0 ? cpus : 1;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'i': into = optarg; break;
        case 's': scanner = optarg; break;
        case 'o': operator= optarg; break;
        case 't':
            if (str_to_long(optarg, 1, REC_EXTRACT_MAX_THREADS, &threads))
                return cli_fail("import", "--threads: „%s“ ist keine Zahl von 1 bis %d", optarg,
                                REC_EXTRACT_MAX_THREADS);
            break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    if (threads > REC_EXTRACT_MAX_THREADS)
        threads = REC_EXTRACT_MAX_THREADS;
    if (!into)
        return cli_fail("import", "--into VORGANG ist nötig (z. B. 32.10-2026-0007/1)");
    if (optind >= argc)
        return cli_fail("import", "keine Datei und kein Ordner angegeben (siehe --help)");
    if (scanner && (strlen(scanner) > 200 || !*scanner))
        return cli_fail("import", "--scanner: 1 bis 200 Zeichen");

    /* the files, in the order given, folders sorted by name */
    struct list files = {0};
    int failed = 0, rc = 0; /* failed: paths that could not even be listed, then all */
    for (int i = optind; !rc && i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: nicht vorhanden oder nicht lesbar (%s)\n", argv[i],
                    strerror(errno));
            failed++;
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(&files, argv[i], 0, &failed);
        } else {
            rc = list_add(&files, argv[i]);
        }
    }
    if (rc) {
        for (size_t i = 0; i < files.n; i++)
            free(files.v[i]);
        free(files.v);
        return cli_fail("import", "%s",
                        rc == ERR_TOOBIG ? "mehr als 200000 Dateien auf einmal" : err_message(rc));
    }

    struct store *s;
    if (cli_open(cli_data_dir(data), &s)) {
        for (size_t i = 0; i < files.n; i++)
            free(files.v[i]);
        free(files.v);
        return 1;
    }
    int status = 1;
    int unlisted = failed; /* named before the import started */
    struct import im = {.store = s, .case_ref = into, .n = files.n};
    pthread_t tids[REC_EXTRACT_MAX_THREADS];
    int started = 0;
    const char *who = operator;
    char osname[64] = "";
    if (!who) {
        struct passwd *pw = getpwuid(geteuid());
        snprintf(osname, sizeof osname, "%s", pw && pw->pw_name ? pw->pw_name : "unbekannt");
        who = osname;
    } else if (check_operator(s, operator)) {
        goto done;
    }
    struct rec_actor a = rec_actor_system(operator ? operator : "cli");
    json_t *kase = NULL;
    rc = rec_case_get(s, &a, into, &kase);
    if (rc == ERR_NOTFOUND) {
        cli_fail("import", "--into: einen Vorgang „%s“ gibt es nicht", into);
        goto done;
    }
    if (rc) {
        cli_fail("import", "--into: %s", err_message(rc));
        goto done;
    }
    const char *kstatus = json_string_value(json_object_get(kase, "status"));
    bool open = kstatus && strcmp(kstatus, "open") == 0;
    json_decref(kase);
    if (!open) {
        cli_fail("import", "--into: der Vorgang %s ist geschlossen (zdA)", into);
        goto done;
    }

    /* contents of batches that an earlier crash kept from their commit */
    if (blob_sweep_tmp(s, IMPORT_TMP_AGE_S, NULL) != 0)
        fprintf(stderr, "rathaus import: alte temporäre Dateien der Ablage nicht entfernt\n");

    im.items = calloc(files.n ? files.n : 1, sizeof *im.items);
    if (!im.items) {
        cli_fail("import", "%s", err_message(ERR_NOMEM));
        goto done;
    }
    for (size_t i = 0; i < files.n; i++) {
        im.items[i].path = files.v[i];
        files.v[i] = NULL;
        str_init(&im.items[i].text, REC_EXTRACT_MAX_TEXT + 16);
        str_init(&im.items[i].why, 2048);
    }
    im.ahead = (size_t)threads * IMPORT_AHEAD_PER_THREAD;
    pthread_mutex_init(&im.lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the clock of rtime_mono_us */
    pthread_cond_init(&im.changed, &ca);
    pthread_condattr_destroy(&ca);

    /* Ctrl+C finishes the files in hand, then stops; a new run resumes */
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct tally t = {
        .pr = {.tty = isatty(STDERR_FILENO), .total = im.n, .t0 = rtime_mono_us()},
        .failed = failed,
    };
    struct batch b = {0};
    size_t handled = 0;
    bool text_pending = false;
    if ((rc = blob_batch_new(s, &b.blobs))) {
        cli_fail("import", "%s", err_message(rc));
        goto stop;
    }
    for (long i = 0; i < threads && (size_t)i < im.n; i++)
        if (pthread_create(&tids[started], NULL, worker, &im) == 0)
            started++;
    if (im.n && !started) {
        cli_fail("import", "keine Arbeits-Threads: %s", err_message(ERR_NOMEM));
        goto stop;
    }
    for (size_t i = 0; i < im.n; i++) {
        struct item *it = &im.items[i];
        enum wait_result w;
        /* an open batch is not kept waiting for slow files (OCR) */
        while ((w = wait_item(&im, it, b.c ? b.opened_us + IMPORT_BATCH_MS * 1000 : 0)) ==
               WAIT_TIMEOUT)
            batch_finish(&im, &b, &t, handled);
        if (w == WAIT_STOPPED)
            break; /* interrupted: the rest was never started */
        bool store_failed = false;
        if (!it->known && !it->rc) {
            if (!b.c && (rc = batch_open(s, &b))) {
                str_addf(&it->why, "Datenbank: %s", err_message(rc));
                it->rc = rc;
            } else {
                it->rc = store_item(&im, &a, &b, it, scanner, who, &text_pending);
                if (!it->rc && !it->known) {
                    it->stored = true;
                    b.files++;
                }
                store_failed = it->rc != 0;
            }
        }
        str_release(&it->text);
        handled = i + 1;
        pthread_mutex_lock(&im.lock);
        im.handled = handled;
        pthread_cond_broadcast(&im.changed);
        pthread_mutex_unlock(&im.lock);
        /* After a failed store the batch ends at once: should the engine
         * have dropped the whole transaction (disk full), nothing may run
         * outside it, and the commit then fails for every file of it. */
        if (!b.c || store_failed || b.files >= IMPORT_BATCH_FILES ||
            rtime_mono_us() - b.opened_us >= IMPORT_BATCH_MS * 1000)
            batch_finish(&im, &b, &t, handled);
    }
stop:
    pthread_mutex_lock(&im.lock);
    pthread_cond_broadcast(&im.changed);
    pthread_mutex_unlock(&im.lock);
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    batch_finish(&im, &b, &t, handled);
    blob_batch_free(b.blobs);
    progress_clear(&t.pr);
    if (text_pending && !atomic_load(&interrupted)) {
        /* texts whose storing failed: extract them from the stored copies */
        if ((rc = rec_extract_drain(s, (int)threads)))
            fprintf(stderr, "rathaus import: Textauslese unvollständig: %s\n", err_message(rc));
    }
    {
        double secs = (double)(rtime_mono_us() - t.pr.t0) / 1e6;
        char dur[32], rate[32];
        fmt_duration(secs, dur, sizeof dur);
        fmt_decimal(secs > 0 ? (double)handled / secs : 0, rate, sizeof rate);
        size_t total = im.n + (size_t)unlisted;
        printf("Import in %s: %zu von %zu Dateien übernommen, %zu bereits vorhanden, %d "
               "fehlgeschlagen (%s, %s Dateien/s).\n",
               into, t.imported, total, t.known, t.failed, dur, rate);
        if (atomic_load(&interrupted) && handled < im.n)
            printf("Abgebrochen nach %zu von %zu Dateien; ein erneuter Aufruf setzt fort.\n",
                   handled, im.n);
    }
    status = t.failed || handled < im.n ? 1 : 0;
    for (size_t i = 0; i < im.n; i++) {
        free(im.items[i].path);
        str_release(&im.items[i].text);
        str_release(&im.items[i].why);
    }
    free(im.items);
    pthread_mutex_destroy(&im.lock);
    pthread_cond_destroy(&im.changed);
done:
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    free(files.v);
    store_close(s);
    return status;
}
