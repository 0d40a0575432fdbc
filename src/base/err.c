/* Names and German messages of the error codes in err.h. The HTTP layer and
 * the CLI show these texts, so they are written for users, not developers. */
#include "err.h"

const char *err_name(int e)
{
    switch (e) {
    case ERR_OK: return "ERR_OK";
    case ERR_NOMEM: return "ERR_NOMEM";
    case ERR_INVALID: return "ERR_INVALID";
    case ERR_NOTFOUND: return "ERR_NOTFOUND";
    case ERR_EXISTS: return "ERR_EXISTS";
    case ERR_TOOBIG: return "ERR_TOOBIG";
    case ERR_DENIED: return "ERR_DENIED";
    case ERR_AUTH: return "ERR_AUTH";
    case ERR_CSRF: return "ERR_CSRF";
    case ERR_IO: return "ERR_IO";
    case ERR_DB: return "ERR_DB";
    case ERR_CORRUPT: return "ERR_CORRUPT";
    case ERR_MEDIATYPE: return "ERR_MEDIATYPE";
    case ERR_BUSY: return "ERR_BUSY";
    case ERR_THROTTLED: return "ERR_THROTTLED";
    case ERR_VERSION: return "ERR_VERSION";
    case ERR_METHOD: return "ERR_METHOD";
    case ERR_INTERNAL: return "ERR_INTERNAL";
    }
    return "ERR_UNKNOWN";
}

const char *err_message(int e)
{
    switch (e) {
    case ERR_OK: return "Erfolgreich.";
    case ERR_NOMEM: return "Der Server hat nicht genug Arbeitsspeicher.";
    case ERR_INVALID: return "Die Eingabe ist ungültig.";
    case ERR_NOTFOUND: return "Die Seite oder das Objekt wurde nicht gefunden.";
    case ERR_EXISTS: return "Das Objekt existiert bereits oder wurde inzwischen geändert.";
    case ERR_TOOBIG: return "Die Anfrage ist zu groß.";
    case ERR_DENIED: return "Dafür fehlt Ihnen die Berechtigung.";
    case ERR_AUTH: return "Bitte melden Sie sich an.";
    case ERR_CSRF:
        return "Die Anfrage konnte nicht bestätigt werden (Sicherheitsmerkmal fehlt). "
               "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.";
    case ERR_IO: return "Fehler beim Lesen oder Schreiben einer Datei.";
    case ERR_DB: return "Fehler in der Datenbank.";
    case ERR_CORRUPT: return "Gespeicherte Daten sind beschädigt.";
    case ERR_MEDIATYPE: return "Dieser Dateityp wird nicht angenommen.";
    case ERR_BUSY:
        return "Der Server ist gerade ausgelastet. Bitte versuchen Sie es gleich noch einmal.";
    case ERR_THROTTLED: return "Zu viele Versuche. Bitte warten Sie einen Moment.";
    case ERR_VERSION: return "Die Datenbank wurde von einer neueren rathaus-Version geschrieben.";
    case ERR_METHOD: return "Diese Methode ist hier nicht erlaubt.";
    case ERR_INTERNAL: return "Interner Fehler.";
    }
    return "Unbekannter Fehler.";
}
