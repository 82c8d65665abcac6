/** The hot path: {@code POST /buy/ticket}, from form parameters to a reserved ticket or a cheap "sold out". */
package io.ticketrush.purchase;
