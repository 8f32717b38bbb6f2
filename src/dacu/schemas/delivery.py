"""A delivery address as a customer gives it at checkout: bounded, one line each."""

from typing import Annotated

from pydantic import Field, StringConstraints

from dacu.domain.risk_deeds import DeliveryAddress
from dacu.schemas.bounds import PRINTABLE
from dacu.schemas.carts import Strict

Receiver = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    Field(pattern=PRINTABLE, description="收货人: who takes the parcel"),
]
Region = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128),
    Field(pattern=PRINTABLE, description="省市区: province, city and district"),
]
Detail = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=256),
    Field(pattern=PRINTABLE, description="详细地址: street, building, room"),
]
ContactPhone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=5, max_length=32),
    Field(pattern=r"^\+?[0-9][0-9 -]*$", description="the receiver's phone"),
]


class AddressIn(Strict):
    receiver: Receiver
    phone: ContactPhone
    region: Region
    detail: Detail

    def address(self) -> DeliveryAddress:
        return DeliveryAddress(self.receiver, self.phone, self.region, self.detail)
