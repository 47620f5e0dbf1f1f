build-x/obj/broker/group/group.o: broker/group/group.c \
 broker/group/group.h broker/broker.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h \
 build-x/gen/dx.pb-c.h lib/core/diag.h lib/core/events.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 broker/ops/options.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/store/store.h lib/tlog/audit_chain.h \
 lib/tlog/checkpoint.h lib/tlog/audit_log.h lib/core/dxtime.h \
 lib/store/journal.h lib/store/pool.h lib/core/log.h \
 lib/crypto/master_key.h lib/crypto/keys.h lib/store/pool.h \
 lib/core/signals.h lib/store/vault.h
broker/group/group.h:
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
lib/tlog/audit_chain.h:
lib/tlog/checkpoint.h:
lib/tlog/audit_log.h:
lib/core/dxtime.h:
lib/store/journal.h:
lib/store/pool.h:
lib/core/log.h:
lib/crypto/master_key.h:
lib/crypto/keys.h:
lib/store/pool.h:
lib/core/signals.h:
lib/store/vault.h:
