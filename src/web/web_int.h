/* Private to src/web/: the route tables of its files, joined by web_register. */
#ifndef RATHAUS_WEB_WEB_INT_H
#define RATHAUS_WEB_WEB_INT_H

#include "web.h"

/* Login, logout and the session API (session.c). */
extern const struct http_route web_session_routes[];
extern const size_t web_session_routes_count;

#endif
