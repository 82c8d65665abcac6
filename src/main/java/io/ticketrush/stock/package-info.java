/** Stock: this instance's local share (a load shedder) and the unified stock in Redis (the authority). */
package io.ticketrush.stock;
