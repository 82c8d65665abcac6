/** MicroProfile Health checks: an instance is ready only while it can reach Redis. */
package io.ticketrush.health;
