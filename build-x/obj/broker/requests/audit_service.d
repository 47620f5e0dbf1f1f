build-x/obj/broker/requests/audit_service.o: \
 broker/requests/audit_service.c broker/requests/audit_service.h \
 broker/broker.h lib/tlog/checkpoint.h lib/crypto/crypto.h lib/core/err.h \
 lib/tlog/merkle.h build-x/gen/dx.pb-c.h lib/core/diag.h \
 lib/core/events.h lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h lib/tlog/audit_log.h \
 broker/stages/reader.h lib/core/dxtime.h lib/core/encode.h \
 lib/core/log.h lib/wire/wire.h broker/commit/record.h \
 broker/requests/sessions.h broker/commit/content.h \
 broker/filter/filter.h lib/core/buf.h broker/commit/reply.h
broker/requests/audit_service.h:
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
lib/tlog/audit_log.h:
broker/stages/reader.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/log.h:
lib/wire/wire.h:
broker/commit/record.h:
broker/requests/sessions.h:
broker/commit/content.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/commit/reply.h:
