/** Running a sale: open or reset it and read its counts, behind a bearer token. */
package io.ticketrush.web.admin;
