build-x/obj/broker/stages/reader.o: broker/stages/reader.c \
 broker/stages/reader.h lib/core/names.h lib/store/store.h lib/core/err.h \
 broker/commit/batch.h broker/commit/audit.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/tlog/merkle.h build-x/gen/dx.pb-c.h \
 lib/tlog/merkle.h broker/broker.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h broker/ops/options.h \
 lib/policy/policy.h lib/core/glob.h lib/core/names.h
broker/stages/reader.h:
lib/core/names.h:
lib/store/store.h:
lib/core/err.h:
broker/commit/batch.h:
broker/commit/audit.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/tlog/merkle.h:
build-x/gen/dx.pb-c.h:
lib/tlog/merkle.h:
broker/broker.h:
lib/core/diag.h:
lib/core/events.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
broker/ops/options.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
