/** The connection to Redis, its policy (fail-fast window, periodic jobs), an event's keys, and the Lua scripts. */
package io.ticketrush.redis;
