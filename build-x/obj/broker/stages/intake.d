build-x/obj/broker/stages/intake.o: broker/stages/intake.c \
 broker/stages/intake.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h broker/stages/dispatch.h \
 broker/stages/jobs.h lib/core/dxtime.h broker/group/group.h \
 lib/core/version.h lib/core/encode.h broker/stages/handshakes.h \
 lib/core/log.h lib/core/signals.h broker/ops/metrics.h \
 broker/ops/notify.h broker/stages/peers.h broker/stages/readers.h \
 lib/wire/wire.h broker/commit/policy_set.h broker/commit/reply.h \
 broker/stages/request.h broker/stages/writer.h
broker/stages/intake.h:
broker/broker.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/tlog/merkle.h:
build-x/gen/dx.pb-c.h:
lib/core/diag.h:
lib/core/events.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
broker/ops/options.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
lib/store/store.h:
broker/stages/dispatch.h:
broker/stages/jobs.h:
lib/core/dxtime.h:
broker/group/group.h:
lib/core/version.h:
lib/core/encode.h:
broker/stages/handshakes.h:
lib/core/log.h:
lib/core/signals.h:
broker/ops/metrics.h:
broker/ops/notify.h:
broker/stages/peers.h:
broker/stages/readers.h:
lib/wire/wire.h:
broker/commit/policy_set.h:
broker/commit/reply.h:
broker/stages/request.h:
broker/stages/writer.h:
