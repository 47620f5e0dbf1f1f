build-x/obj/broker/requests/publish_check.o: \
 broker/requests/publish_check.c broker/requests/publish_check.h \
 broker/broker.h lib/tlog/checkpoint.h lib/crypto/crypto.h lib/core/err.h \
 lib/tlog/merkle.h build-x/gen/dx.pb-c.h lib/core/diag.h \
 lib/core/events.h lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h lib/core/dxtime.h \
 broker/filter/filter.h lib/core/buf.h lib/core/log.h lib/wire/wire.h
broker/requests/publish_check.h:
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
lib/core/dxtime.h:
broker/filter/filter.h:
lib/core/buf.h:
lib/core/log.h:
lib/wire/wire.h:
