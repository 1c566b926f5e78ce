// The one translation unit that compiles Asio, Asio SSL and Beast (BOOST_ASIO_SEPARATE_COMPILATION
// and BOOST_BEAST_SEPARATE_COMPILATION are defined project-wide), so every other file only
// includes their headers and links autokaggle-http.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
