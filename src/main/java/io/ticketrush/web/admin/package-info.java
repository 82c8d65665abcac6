/**
 * The operator's API, behind a bearer token: open, reset, delete or restore a sale, pause its waiting room, read its
 * counts and every instance's; each {@code PUT} and {@code DELETE} applied once per request id.
 */
package io.ticketrush.web.admin;
