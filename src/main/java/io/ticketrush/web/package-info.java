/**
 * The HTTP layer, the top floor and the only code that knows HTTP: what every answer shares (the JSON envelope, form
 * parsing, the instance header, error pages, the pages' files) and the status each refusal from below is answered with.
 */
package io.ticketrush.web;
