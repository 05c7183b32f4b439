/**
 * {@link dev.kindling.distributed.hazelcast.HazelcastStore}: a rendezvous store on embedded Hazelcast whose
 * membership events name a lost rank, and the {@code hazelcast://host:port} init method.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.distributed.hazelcast;
