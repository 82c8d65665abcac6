/** The hot path behind {@code POST /buy/ticket}: the local share first, then one Redis script; purchases counted. */
package io.ticketrush.purchase;
