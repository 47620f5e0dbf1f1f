build-x/obj/broker/ops/options.o: broker/ops/options.c \
 broker/ops/options.h lib/core/err.h lib/core/log.h lib/policy/ytree.h
broker/ops/options.h:
lib/core/err.h:
lib/core/log.h:
lib/policy/ytree.h:
