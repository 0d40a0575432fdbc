/* The one place where error codes become HTTP statuses, and the German texts
 * of the statuses rathaus sends. */
#include "http.h"

int http_status_for(int err)
{
    switch (err) {
    case ERR_OK: return 200;
    case ERR_INVALID: return 400;
    case ERR_AUTH: return 401;
    case ERR_DENIED:
    case ERR_CSRF: return 403;
    case ERR_NOTFOUND: return 404;
    case ERR_METHOD: return 405;
    case ERR_EXISTS: return 409;
    case ERR_TOOBIG: return 413;
    case ERR_MEDIATYPE: return 415;
    case ERR_THROTTLED: return 429;
    case ERR_BUSY: return 503;
    default: return 500;
    }
}

const char *http_status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Angelegt";
    case 303: return "Weiterleitung";
    case 304: return "Nicht geändert";
    case 400: return "Ungültige Anfrage";
    case 401: return "Anmeldung erforderlich";
    case 403: return "Zugriff verweigert";
    case 404: return "Seite nicht gefunden";
    case 405: return "Methode nicht erlaubt";
    case 409: return "Konflikt";
    case 413: return "Anfrage zu groß";
    case 415: return "Dateityp nicht erlaubt";
    case 429: return "Zu viele Anfragen";
    case 503: return "Vorübergehend nicht verfügbar";
    default: return "Interner Fehler";
    }
}
