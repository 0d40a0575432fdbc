/* `rathaus backup` and `rathaus restore`. A backup is one tar file (written
 * with libarchive) holding a consistent snapshot of the database, taken with
 * SQLite's VACUUM INTO while the server keeps running, and every blob that
 * snapshot references. Blobs are immutable, so copying them afterwards is
 * consistent with the snapshot. Restore unpacks into a new directory and
 * runs the same checks as `rathaus verify`. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "store/blob.h"
#include "store/journal.h"

#define BACKUP_CHUNK 65536

static int add_file(struct archive *a, const char *src, const char *name)
{
    int rc = ERR_IO;
    struct stat st;
    char *buf = NULL;
    int fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0)
        goto done;
    struct archive_entry *e = archive_entry_new();
    if (!e)
        goto done;
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, st.st_size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0640);
    archive_entry_set_mtime(e, st.st_mtime, 0);
    int ar = archive_write_header(a, e);
    archive_entry_free(e);
    if (ar != ARCHIVE_OK)
        goto done;
    buf = malloc(BACKUP_CHUNK);
    if (!buf)
        goto done;
    for (;;) {
        ssize_t r = read(fd, buf, BACKUP_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto done;
        if (r == 0)
            break;
        if (archive_write_data(a, buf, (size_t)r) != r)
            goto done;
    }
    rc = 0;
done:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

int cmd_backup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'h':
            printf("Aufruf: rathaus backup [--data VERZEICHNIS] DATEI\n\n"
                   "Schreibt eine konsistente Sicherung (tar: rathaus.db und blobs/) nach DATEI,\n"
                   "auch während der Server läuft. Zurückspielen mit „rathaus restore“.\n");
            return 0;
        default: return 2;
        }
    }
    if (optind + 1 != argc)
        return cli_fail("backup", "genau eine Zieldatei angeben (siehe --help)");
    const char *out = argv[optind];
    const char *dir = cli_data_dir(data);
    struct stat st;
    if (stat(out, &st) == 0)
        return cli_fail("backup", "%s existiert bereits; nichts überschrieben", out);
    struct store *s = NULL, *snap = NULL;
    struct store_conn *c = NULL, *sc = NULL;
    struct archive *a = NULL;
    char snapdir[4096], snapdb[4200], tmpout[4200];
    snprintf(snapdir, sizeof snapdir, "%s.snapshot-XXXXXX", out);
    snprintf(tmpout, sizeof tmpout, "%s.part", out);
    snapdb[0] = '\0';
    int status = 1, rc;
    int64_t nblobs = 0;
    if (!mkdtemp(snapdir))
        return cli_fail("backup", "kann kein Arbeitsverzeichnis neben %s anlegen", out);
    snprintf(snapdb, sizeof snapdb, "%s/rathaus.db", snapdir);
    if (cli_open(dir, &s))
        goto done;
    if ((rc = store_get(s, &c)) || (rc = store_snapshot(c, snapdb))) {
        cli_fail("backup", "Schnappschuss der Datenbank fehlgeschlagen: %s", err_message(rc));
        goto done;
    }
    store_put(s, c);
    c = NULL;
    if ((rc = store_open(snapdir, 0, &snap)) || (rc = store_get(snap, &sc))) {
        cli_fail("backup", "Schnappschuss nicht lesbar: %s", err_message(rc));
        goto done;
    }
    a = archive_write_new();
    if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_open_filename(a, tmpout) != ARCHIVE_OK) {
        cli_fail("backup", "%s kann nicht geschrieben werden", tmpout);
        goto done;
    }
    if (add_file(a, snapdb, "rathaus.db")) {
        cli_fail("backup", "Datenbank kann nicht gesichert werden");
        goto done;
    }
    struct store_stmt *q;
    if ((rc = store_prepare(sc, "SELECT sha256 FROM blobs ORDER BY sha256", &q))) {
        cli_fail("backup", "%s", err_message(rc));
        goto done;
    }
    struct str path, name;
    str_init(&path, 4096);
    str_init(&name, 4096);
    rc = 0;
    while (!rc && store_step(q) == STORE_ROW) {
        const char *sha = store_col_text(q, 0);
        str_reset(&path);
        str_reset(&name);
        if (blob_path(s, sha, &path)) {
            rc = ERR_CORRUPT;
            break;
        }
        str_addf(&name, "blobs/%.2s/%.2s/%s", sha, sha + 2, sha);
        if (add_file(a, path.buf, name.buf)) {
            cli_fail("backup", "Datei %s kann nicht gesichert werden", path.buf);
            rc = ERR_IO;
        }
        nblobs++;
    }
    store_done(q);
    str_release(&path);
    str_release(&name);
    if (rc)
        goto done;
    if (archive_write_close(a) != ARCHIVE_OK) {
        cli_fail("backup", "%s kann nicht abgeschlossen werden", tmpout);
        goto done;
    }
    archive_write_free(a);
    a = NULL;
    int fd = open(tmpout, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0 || rename(tmpout, out) != 0) {
        if (fd >= 0)
            close(fd);
        cli_fail("backup", "%s kann nicht geschrieben werden", out);
        goto done;
    }
    close(fd);
    printf("Sicherung geschrieben: %s (Datenbank und %lld Dateien)\n", out, (long long)nblobs);
    status = 0;
done:
    if (a)
        archive_write_free(a);
    if (sc)
        store_put(snap, sc);
    store_close(snap);
    if (c)
        store_put(s, c);
    store_close(s);
    if (status)
        unlink(tmpout);
    /* remove the snapshot and its WAL side files */
    char side[4300];
    unlink(snapdb);
    snprintf(side, sizeof side, "%s-wal", snapdb);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", snapdb);
    unlink(side);
    rmdir(snapdir);
    return status;
}

/* Accepts only "rathaus.db" and "blobs/xx/yy/<64 hex>" from an archive. */
static bool allowed_name(const char *n)
{
    if (strcmp(n, "rathaus.db") == 0)
        return true;
    if (strncmp(n, "blobs/", 6) != 0 || strlen(n) != 6 + 3 + 3 + 64)
        return false;
    for (const char *p = n + 6; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || *p == '/'))
            return false;
    return n[8] == '/' && n[11] == '/';
}

static int mkdirs_for(const char *root, const char *name)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", root, name);
    for (char *p = buf + strlen(root) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return ERR_IO;
        *p = '/';
    }
    return 0;
}

int cmd_restore(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'h':
            printf("Aufruf: rathaus restore --data NEUES_VERZEICHNIS DATEI\n\n"
                   "Spielt eine Sicherung von „rathaus backup“ in ein neues, leeres\n"
                   "Datenverzeichnis zurück und prüft es wie „rathaus verify“.\n");
            return 0;
        default: return 2;
        }
    }
    if (optind + 1 != argc || !data)
        return cli_fail("restore", "--data NEUES_VERZEICHNIS und eine Sicherungsdatei angeben");
    const char *in = argv[optind];
    if (mkdir(data, 0750) != 0)
        return cli_fail("restore", "%s existiert bereits oder kann nicht angelegt werden", data);
    struct archive *a = archive_read_new();
    int status = 1;
    bool have_db = false;
    char *buf = malloc(BACKUP_CHUNK);
    if (!a || !buf || archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_open_filename(a, in, BACKUP_CHUNK) != ARCHIVE_OK) {
        cli_fail("restore", "%s ist keine lesbare Sicherung", in);
        goto done;
    }
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        if (!name || !allowed_name(name) || archive_entry_filetype(e) != AE_IFREG) {
            cli_fail("restore", "%s: unerwarteter Eintrag „%s“; abgebrochen", in,
                     name ? name : "?");
            goto done;
        }
        if (mkdirs_for(data, name)) {
            cli_fail("restore", "Verzeichnis für %s kann nicht angelegt werden", name);
            goto done;
        }
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", data, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (fd < 0) {
            cli_fail("restore", "%s kann nicht geschrieben werden", path);
            goto done;
        }
        la_ssize_t n;
        bool ok = true;
        while ((n = archive_read_data(a, buf, BACKUP_CHUNK)) > 0)
            if (write(fd, buf, (size_t)n) != n)
                ok = false;
        if (n < 0 || fsync(fd) != 0)
            ok = false;
        close(fd);
        if (!ok) {
            cli_fail("restore", "%s: Eintrag %s ist unvollständig", in, name);
            goto done;
        }
        if (strcmp(name, "rathaus.db") == 0)
            have_db = true;
    }
    if (r != ARCHIVE_EOF || !have_db) {
        cli_fail("restore", "%s ist unvollständig oder beschädigt", in);
        goto done;
    }
    status = 0;
done:
    if (a)
        archive_read_free(a);
    free(buf);
    if (status)
        return status;
    printf("Sicherung nach %s zurückgespielt. Prüfung:\n", data);
    char *vargv[] = {"verify", "--data", (char *)data, NULL};
    return cmd_verify(3, vargv);
}
