build-x/obj/broker/commit/reload.o: broker/commit/reload.c \
 broker/commit/reload.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h lib/core/encode.h lib/core/log.h \
 lib/policy/policy_check.h lib/policy/policy.h lib/policy/policy_load.h \
 broker/commit/policy_set.h broker/commit/record.h \
 broker/requests/sessions.h broker/commit/content.h \
 broker/filter/filter.h lib/core/buf.h
broker/commit/reload.h:
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
lib/core/encode.h:
lib/core/log.h:
lib/policy/policy_check.h:
lib/policy/policy.h:
lib/policy/policy_load.h:
broker/commit/policy_set.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/content.h:
broker/filter/filter.h:
lib/core/buf.h:
