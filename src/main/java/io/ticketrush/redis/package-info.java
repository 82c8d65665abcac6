/** The connection to Redis, the policy around it (fail-fast window, periodic jobs) and the Lua scripts run there. */
package io.ticketrush.redis;
