build-x/obj/agents/audit_export.o: agents/audit_export.c \
 agents/audit_cmds.h agents/audit_source.h lib/tlog/checkpoint.h \
 lib/crypto/crypto.h lib/core/err.h lib/tlog/merkle.h lib/client/cli.h \
 lib/client/client.h build-x/gen/dx.pb-c.h lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/names.h lib/tlog/merkle.h lib/store/store.h \
 lib/core/dxtime.h lib/core/encode.h lib/core/fileio.h lib/wire/wire.h
agents/audit_cmds.h:
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
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/fileio.h:
lib/wire/wire.h:
