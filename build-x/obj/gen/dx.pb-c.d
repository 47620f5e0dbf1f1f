build-x/obj/gen/dx.pb-c.o: build-x/gen/dx.pb-c.c build-x/gen/dx.pb-c.h
build-x/gen/dx.pb-c.h:
