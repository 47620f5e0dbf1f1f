build-x/obj/broker/ops/metrics.o: broker/ops/metrics.c \
 broker/ops/metrics.h lib/core/err.h broker/group/group.h broker/broker.h \
 lib/tlog/checkpoint.h lib/crypto/crypto.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h lib/store/pool.h lib/core/dxtime.h \
 lib/core/encode.h lib/core/log.h lib/core/version.h \
 broker/commit/policy_set.h
broker/ops/metrics.h:
lib/core/err.h:
broker/group/group.h:
broker/broker.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
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
lib/store/pool.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/log.h:
lib/core/version.h:
broker/commit/policy_set.h:
