/** The connection to Redis and the Lua scripts that keep the unified stock there. */
package io.ticketrush.redis;
