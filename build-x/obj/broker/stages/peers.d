build-x/obj/broker/stages/peers.o: broker/stages/peers.c \
 broker/stages/peers.h lib/core/err.h lib/core/log.h
broker/stages/peers.h:
lib/core/err.h:
lib/core/log.h:
