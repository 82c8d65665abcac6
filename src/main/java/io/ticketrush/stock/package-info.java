/** Stock: this instance's local share (a load shedder), the unified stock in Redis (the authority), kept in step. */
package io.ticketrush.stock;
