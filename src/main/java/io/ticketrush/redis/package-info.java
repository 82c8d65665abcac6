/** The connection to Redis, the policy around it (fail fast, the write pipeline), an event's keys, the Lua scripts. */
package io.ticketrush.redis;
