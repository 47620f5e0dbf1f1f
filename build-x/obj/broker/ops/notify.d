build-x/obj/broker/ops/notify.o: broker/ops/notify.c broker/ops/notify.h \
 lib/core/log.h
broker/ops/notify.h:
lib/core/log.h:
