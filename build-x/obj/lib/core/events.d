build-x/obj/lib/core/events.o: lib/core/events.c lib/core/events.h
lib/core/events.h:
