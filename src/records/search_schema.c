/* The full-text index of the E-Akte (migration 101): one FTS5 row per
 * document (rowid = documents.id) with its title, its case reference (which
 * holds the Aktenzeichen), the names around it (file and case titles,
 * parties) and the text of its newest extracted version, tokenized by the
 * German tokenizer (store/sqlite_fts.c).
 *
 * Why a normal FTS5 table that stores its own copy of the text: snippets
 * need the text, and an external-content table would have to be fed the
 * exact old values of four columns gathered from four tables on every
 * change (a mismatch silently corrupts the index); contentless tables
 * cannot delete rows in SQLite 3.40. The price is the body text twice on
 * disk (doc_text keeps every version's text, the index the newest).
 *
 * Triggers keep title, reference and names current whatever code writes
 * documents, cases and files, so a document without any version is found
 * by its title at once; they only ever update existing rows, so a disposed
 * file (whose rows rec_index_forget_file removed) stays out. The body is
 * written by the extraction (extract.c through rec__index_document).
 * Migration 102 adds the column acl: who may see the document, as tokens
 * the query can intersect with the words (see SEARCH_SRC_V102); migration
 * 103 adds prefix indexes of 3 to 6 letters (see search_v103). */
#include "records_int.h"

static const char search_v101[] =
    /* what the index shows of each document besides its text */
    "CREATE VIEW doc_search_src AS"
    " SELECT d.id AS doc_id, d.title AS title, c.reference AS refs,"
    "  f.title || ' · ' || c.title"
    "   || CASE WHEN f.parties <> '' THEN ' · ' || f.parties ELSE '' END"
    "   || CASE WHEN d.party <> '' THEN ' · ' || d.party ELSE '' END AS meta"
    " FROM documents d JOIN cases c ON c.id = d.case_id JOIN files f ON f.id = c.file_id;"
    "CREATE VIRTUAL TABLE doc_search USING fts5("
    " title, refs, meta, body, version_id UNINDEXED, tokenize = 'german');"
    "CREATE TRIGGER doc_search_doc_insert AFTER INSERT ON documents BEGIN"
    " INSERT INTO doc_search (rowid, title, refs, meta, body, version_id)"
    "  SELECT doc_id, title, refs, meta, '', NULL FROM doc_search_src WHERE doc_id = NEW.id;"
    " END;"
    "CREATE TRIGGER doc_search_doc_update AFTER UPDATE OF title, party, case_id ON documents BEGIN"
    " UPDATE doc_search SET (title, refs, meta) ="
    "  (SELECT title, refs, meta FROM doc_search_src WHERE doc_id = NEW.id)"
    "  WHERE rowid = NEW.id;"
    " END;"
    "CREATE TRIGGER doc_search_doc_delete AFTER DELETE ON documents BEGIN"
    " DELETE FROM doc_search WHERE rowid = OLD.id;"
    " END;"
    "CREATE TRIGGER doc_search_case_update AFTER UPDATE OF title, reference ON cases BEGIN"
    " UPDATE doc_search SET (title, refs, meta) ="
    "  (SELECT title, refs, meta FROM doc_search_src WHERE doc_id = doc_search.rowid)"
    "  WHERE rowid IN (SELECT id FROM documents WHERE case_id = NEW.id);"
    " END;"
    "CREATE TRIGGER doc_search_file_update AFTER UPDATE OF title, parties ON files BEGIN"
    " UPDATE doc_search SET (title, refs, meta) ="
    "  (SELECT title, refs, meta FROM doc_search_src WHERE doc_id = doc_search.rowid)"
    "  WHERE rowid IN (SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id"
    "   WHERE c.file_id = NEW.id);"
    " END;"
    /* documents that exist already, with the text of their newest version */
    "INSERT INTO doc_search (rowid, title, refs, meta, body, version_id)"
    " SELECT s.doc_id, s.title, s.refs, s.meta, coalesce(t.text, ''), t.version_id"
    " FROM doc_search_src s"
    " JOIN documents d ON d.id = s.doc_id JOIN cases c ON c.id = d.case_id"
    " JOIN files f ON f.id = c.file_id"
    " LEFT JOIN doc_text t ON t.version_id = (SELECT v.id FROM versions v"
    "  JOIN doc_text x ON x.version_id = v.id"
    "  WHERE v.document_id = s.doc_id AND v.blob_sha256 IS NOT NULL ORDER BY v.n DESC LIMIT 1)"
    " WHERE f.status <> 'disposed';";

/* The same view with the column acl: who may see the document, as access
 * tokens for the index (0x1F, then "o<office>" for the owning office and
 * "s<office>" for each office the file is shared with; the tokenizer passes
 * them on verbatim and no typed word can match them). Visibility and the
 * office filter then become terms of the FTS5 query, which the index
 * intersects with the words' posting lists instead of joining every match
 * with files and file_shares. */
#define SEARCH_SRC_V102                                                                            \
    "CREATE VIEW doc_search_src AS"                                                                \
    " SELECT d.id AS doc_id, d.title AS title, c.reference AS refs,"                               \
    "  f.title || ' · ' || c.title"                                                               \
    "   || CASE WHEN f.parties <> '' THEN ' · ' || f.parties ELSE '' END"                         \
    "   || CASE WHEN d.party <> '' THEN ' · ' || d.party ELSE '' END AS meta,"                    \
    "  char(31) || ' o' || f.unit_nr || coalesce((SELECT ' ' || group_concat('s' || sh.unit_nr,"   \
    "   ' ') FROM file_shares sh WHERE sh.file_id = f.id), '') AS acl"                             \
    " FROM documents d JOIN cases c ON c.id = d.case_id JOIN files f ON f.id = c.file_id;"

/* The triggers of migration 102 (and 103, which makes them anew): they keep
 * title, reference, names and access tokens of the index current. */
#define SEARCH_TRIGGERS_V102                                                                         \
    "CREATE TRIGGER doc_search_doc_insert AFTER INSERT ON documents BEGIN"                           \
    " INSERT INTO doc_search (rowid, title, refs, meta, body, version_id, acl)"                      \
    "  SELECT doc_id, title, refs, meta, '', NULL, acl FROM doc_search_src WHERE doc_id = NEW.id;"   \
    " END;"                                                                                          \
    "CREATE TRIGGER doc_search_doc_update AFTER UPDATE OF title, party, case_id ON documents BEGIN"  \
    " UPDATE doc_search SET (title, refs, meta, acl) ="                                              \
    "  (SELECT title, refs, meta, acl FROM doc_search_src WHERE doc_id = NEW.id)"                    \
    "  WHERE rowid = NEW.id;"                                                                        \
    " END;"                                                                                          \
    "CREATE TRIGGER doc_search_doc_delete AFTER DELETE ON documents BEGIN"                           \
    " DELETE FROM doc_search WHERE rowid = OLD.id;"                                                  \
    " END;"                                                                                          \
    "CREATE TRIGGER doc_search_case_update AFTER UPDATE OF title, reference, file_id ON cases BEGIN" \
    " UPDATE doc_search SET (title, refs, meta, acl) ="                                              \
    "  (SELECT title, refs, meta, acl FROM doc_search_src WHERE doc_id = doc_search.rowid)"          \
    "  WHERE rowid IN (SELECT id FROM documents WHERE case_id = NEW.id);"                            \
    " END;"                                                                                          \
    "CREATE TRIGGER doc_search_file_update AFTER UPDATE OF title, parties, unit_nr ON files BEGIN"   \
    " UPDATE doc_search SET (title, refs, meta, acl) ="                                              \
    "  (SELECT title, refs, meta, acl FROM doc_search_src WHERE doc_id = doc_search.rowid)"          \
    "  WHERE rowid IN (SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id"                \
    "   WHERE c.file_id = NEW.id);"                                                                  \
    " END;"                                                                                          \
    "CREATE TRIGGER doc_search_share_insert AFTER INSERT ON file_shares BEGIN"                       \
    " UPDATE doc_search SET acl ="                                                                   \
    "  (SELECT acl FROM doc_search_src WHERE doc_id = doc_search.rowid)"                             \
    "  WHERE rowid IN (SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id"                \
    "   WHERE c.file_id = NEW.file_id);"                                                             \
    " END;"                                                                                          \
    "CREATE TRIGGER doc_search_share_delete AFTER DELETE ON file_shares BEGIN"                       \
    " UPDATE doc_search SET acl ="                                                                   \
    "  (SELECT acl FROM doc_search_src WHERE doc_id = doc_search.rowid)"                             \
    "  WHERE rowid IN (SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id"                \
    "   WHERE c.file_id = OLD.file_id);"                                                             \
    " END;"

/* Migration 102: the index gets the column acl (see above). FTS5 tables
 * cannot gain columns, so a new table is filled from the old one (the text
 * is kept, only the access tokens are computed), replaces it, and the
 * triggers are made anew, with new ones for the owner and the shares. */
static const char search_v102[] =
    "DROP TRIGGER doc_search_doc_insert;"
    "DROP TRIGGER doc_search_doc_update;"
    "DROP TRIGGER doc_search_doc_delete;"
    "DROP TRIGGER doc_search_case_update;"
    "DROP TRIGGER doc_search_file_update;"
    "DROP VIEW doc_search_src;" SEARCH_SRC_V102 "CREATE VIRTUAL TABLE doc_search_new USING fts5("
    " title, refs, meta, body, version_id UNINDEXED, acl, tokenize = 'german');"
    "INSERT INTO doc_search_new (rowid, title, refs, meta, body, version_id, acl)"
    " SELECT s.rowid, s.title, s.refs, s.meta, s.body, s.version_id,"
    "  coalesce((SELECT a.acl FROM doc_search_src a WHERE a.doc_id = s.rowid), char(31))"
    " FROM doc_search s;"
    "DROP TABLE doc_search;"
    "ALTER TABLE doc_search_new RENAME TO doc_search;" SEARCH_TRIGGERS_V102;

/* Migration 103: prefix indexes for the prefix lengths users type, 3 to 6
 * letters (REC_SEARCH_PREFIX_MIN/MAX in search.c): FTS5 keeps, besides each
 * word, its first 3, 4, 5 and 6 characters, so "Antr*" reads one posting
 * list newest first and stops after the matches a page needs, instead of
 * merging the lists of all words that begin with "antr" in every statement
 * (which cost 60 ms at 1,000,000 documents). The option can only be given
 * when the table is made: a new table is filled from the old one (text and
 * access tokens are copied as they are), replaces it, and the triggers are
 * made anew (unchanged; they must go while the table is renamed). */
static const char search_v103[] =
    "DROP TRIGGER doc_search_doc_insert;"
    "DROP TRIGGER doc_search_doc_update;"
    "DROP TRIGGER doc_search_doc_delete;"
    "DROP TRIGGER doc_search_case_update;"
    "DROP TRIGGER doc_search_file_update;"
    "DROP TRIGGER doc_search_share_insert;"
    "DROP TRIGGER doc_search_share_delete;"
    "CREATE VIRTUAL TABLE doc_search_new USING fts5("
    " title, refs, meta, body, version_id UNINDEXED, acl, tokenize = 'german',"
    " prefix = '3 4 5 6');"
    "INSERT INTO doc_search_new (rowid, title, refs, meta, body, version_id, acl)"
    " SELECT rowid, title, refs, meta, body, version_id, acl FROM doc_search;"
    "DROP TABLE doc_search;"
    "ALTER TABLE doc_search_new RENAME TO doc_search;" SEARCH_TRIGGERS_V102;

const struct store_migration records_search_migrations[] = {
    {101, "full-text index of documents (FTS5, German tokenizer)", search_v101},
    {102, "access tokens in the full-text index (visibility as index terms)", search_v102},
    {103, "prefix indexes (3 to 6 letters) in the full-text index", search_v103},
};
const size_t records_search_migrations_count =
    sizeof records_search_migrations / sizeof records_search_migrations[0];
