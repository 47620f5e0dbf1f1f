build-x/obj/broker/commit/audit.o: broker/commit/audit.c \
 broker/commit/audit.h lib/tlog/checkpoint.h lib/crypto/crypto.h \
 lib/core/err.h lib/tlog/merkle.h build-x/gen/dx.pb-c.h lib/tlog/merkle.h \
 lib/store/store.h lib/tlog/audit_chain.h lib/tlog/checkpoint.h \
 lib/tlog/audit_log.h lib/core/names.h lib/wire/wire.h broker/broker.h \
 lib/core/diag.h lib/core/events.h lib/crypto/keys.h lib/crypto/crypto.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h
broker/commit/audit.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/tlog/merkle.h:
build-x/gen/dx.pb-c.h:
lib/tlog/merkle.h:
lib/store/store.h:
lib/tlog/audit_chain.h:
lib/tlog/checkpoint.h:
lib/tlog/audit_log.h:
lib/core/names.h:
lib/wire/wire.h:
broker/broker.h:
lib/core/diag.h:
lib/core/events.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
broker/ops/options.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
