/** The instances of the deployment: which are alive, their weights (a heartbeat in Redis) and what each reports. */
package io.ticketrush.cluster;
