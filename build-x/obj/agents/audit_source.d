build-x/obj/agents/audit_source.o: agents/audit_source.c \
 agents/audit_source.h lib/tlog/checkpoint.h lib/crypto/crypto.h \
 lib/core/err.h lib/tlog/merkle.h lib/client/cli.h lib/client/client.h \
 build-x/gen/dx.pb-c.h lib/crypto/keys.h lib/crypto/crypto.h \
 lib/core/names.h lib/tlog/merkle.h lib/store/store.h \
 lib/tlog/audit_log.h lib/wire/wire.h
agents/audit_source.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/tlog/merkle.h:
lib/client/cli.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/tlog/merkle.h:
lib/store/store.h:
lib/tlog/audit_log.h:
lib/wire/wire.h:
