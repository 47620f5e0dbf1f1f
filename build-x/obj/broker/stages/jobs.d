build-x/obj/broker/stages/jobs.o: broker/stages/jobs.c \
 broker/stages/jobs.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h lib/core/log.h lib/core/tsan.h \
 broker/stages/request.h
broker/stages/jobs.h:
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
lib/core/log.h:
lib/core/tsan.h:
broker/stages/request.h:
