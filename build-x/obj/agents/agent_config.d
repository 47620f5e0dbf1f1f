build-x/obj/agents/agent_config.o: agents/agent_config.c \
 agents/agent_config.h lib/client/cli.h lib/client/client.h \
 build-x/gen/dx.pb-c.h lib/core/err.h lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/names.h lib/wire/wire.h lib/core/media.h \
 lib/policy/policy.h lib/crypto/crypto.h lib/core/glob.h lib/core/names.h \
 lib/policy/ytree.h
agents/agent_config.h:
lib/client/cli.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/wire/wire.h:
lib/core/media.h:
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/policy/ytree.h:
