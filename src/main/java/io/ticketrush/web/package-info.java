/** What every HTTP answer of the WAR shares: the JSON envelope, errors, the instance header. */
package io.ticketrush.web;
