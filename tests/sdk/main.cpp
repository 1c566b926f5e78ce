#define BOOST_TEST_MODULE abi_lock
#include <boost/test/unit_test.hpp>
