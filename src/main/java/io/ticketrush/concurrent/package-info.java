/** Tools that know nothing of this service: calls made together in bounded time; jobs that outlive failures. */
package io.ticketrush.concurrent;
