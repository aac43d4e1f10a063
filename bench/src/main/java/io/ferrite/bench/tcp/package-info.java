/**
 * TCP scenarios over 127.0.0.1: Ferrite's server end to end and its peers on the same socket
 * path — a raw Netty FWP/1 frame counter and a blocking-socket round trip — all driven by the
 * real load generator and client where FWP/1 is spoken.
 */
package io.ferrite.bench.tcp;
