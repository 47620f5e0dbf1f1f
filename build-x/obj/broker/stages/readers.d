build-x/obj/broker/stages/readers.o: broker/stages/readers.c \
 broker/stages/readers.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h broker/stages/dispatch.h \
 broker/stages/jobs.h lib/core/dxtime.h lib/core/log.h \
 broker/stages/reader.h broker/requests/sessions.h \
 broker/commit/content.h broker/filter/filter.h lib/core/buf.h \
 broker/commit/staged.h lib/wire/wire.h broker/commit/policy_set.h \
 broker/commit/reply.h broker/stages/request.h
broker/stages/readers.h:
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
lib/core/log.h:
broker/stages/reader.h:
broker/requests/sessions.h:
broker/commit/content.h:
broker/filter/filter.h:
lib/core/buf.h:
broker/commit/staged.h:
lib/wire/wire.h:
broker/commit/policy_set.h:
broker/commit/reply.h:
broker/stages/request.h:
