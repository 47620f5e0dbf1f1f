build-x/obj/broker/stages/fairq.o: broker/stages/fairq.c \
 broker/stages/fairq.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h broker/stages/request.h
broker/stages/fairq.h:
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
broker/stages/request.h:
